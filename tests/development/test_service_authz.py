"""The services assert their actor (decisions.md 38): whoever reaches a development service
outside the POLICY row of its view — a sibling branch's secretary, another town's organization
department — is refused with ``policy.NotPermitted`` (code ``not_permitted``) before any domain
rule, and nothing is written; the actor who holds the row there succeeds."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core import policy
from dangjian.core.models import AuditEvent
from dangjian.development import services
from dangjian.development.models import (
    CaseAssessment,
    CaseDocument,
    CasePublicity,
    CaseStep,
    CaseWarning,
    DevelopmentCase,
    LocalHoliday,
)
from dangjian.members.models import Member
from tests.authz import assert_refused_then_allowed

from .helpers import PUBLICITY, TIMELINE, VOTE, advance, applicant, open_case, step_kwargs

D = dt.date

pytestmark = pytest.mark.django_db


def _written() -> tuple:
    """Everything a development service may write."""
    models = (DevelopmentCase, CaseStep, CasePublicity, CaseAssessment, CaseWarning, CaseDocument, LocalHoliday, Member, AuditEvent)
    return tuple(m.objects.count() for m in models) + tuple(
        DevelopmentCase.objects.order_by("pk").values_list("status", "last_code", "probation_end", "extended_months"))


def _jpeg():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG")
    return SimpleUploadedFile("扫描件.jpg", buf.getvalue(), content_type="image/jpeg")


# -- each service: (prepare the world, return the call taking the actor) ----------------------------
def _open(world):
    return lambda actor: services.open_case(actor=actor, org=world.b1, data=applicant(name="孙申请"), application_date=TIMELINE[1])


def _step(world):
    case = open_case(world)
    return lambda actor: services.record_step(actor=actor, case=case, code=2, **step_kwargs(world, 2))


def _publicity(world):
    case = advance(world, open_case(world), 6, publicity=False)
    return lambda actor: services.start_publicity(actor=actor, case=case, point="object", starts_on=PUBLICITY["object"][1], offline=True)


def _assessment(world):
    case = advance(world, open_case(world), 3)
    return lambda actor: services.add_assessment(actor=actor, case=case, date=TIMELINE[3] + dt.timedelta(days=180))


def _stop(world):
    case = open_case(world)
    return lambda actor: services.stop_case(actor=actor, case=case, reason="撤回申请")


def _extend(world):
    case = advance(world, open_case(world), 21)
    return lambda actor: services.extend_probation(actor=actor, case=case, date=D(2025, 9, 1), months=6, vote=dict(VOTE))


def _cancel(world):
    case = advance(world, open_case(world), 20)
    return lambda actor: services.cancel_probation(actor=actor, case=case, date=D(2025, 9, 20), decision="支部大会决议，东镇党委批复")


def _reveal(world):
    case = open_case(world)
    return lambda actor: services.reveal_field(actor=actor, case=case, field="id_number")


def _set_day(world):
    return lambda actor: services.set_local_day(actor=actor, org=world.t1, date=D(2026, 11, 25), is_working_day=False, note="镇庆")


def _delete_day(world):
    row = services.set_local_day(actor=world.users["town_admin"], org=world.t1, date=D(2026, 11, 25), is_working_day=False)
    return lambda actor: services.delete_local_day(actor=actor, row=row)


def _document(world):
    case = open_case(world)
    return lambda actor: services.add_document(actor=actor, case=case, step_code=1, upload=_jpeg())


# service, prepare, the sibling who is refused, the actor who holds the row
CASES = [
    ("open_case", _open, "secretary2", "secretary"),                  # development.manage on b1
    ("record_step", _step, "secretary2", "secretary"),                # development.manage on the case
    ("start_publicity", _publicity, "secretary2", "secretary"),
    ("add_assessment", _assessment, "secretary2", "committee"),
    ("stop_case", _stop, "secretary2", "secretary"),
    ("add_document", _document, "secretary2", "secretary"),
    ("extend_probation", _extend, "town2_admin", "town_admin"),       # development.approve: the upper committee
    ("cancel_probation", _cancel, "town2_admin", "town_admin"),
    ("reveal_field", _reveal, "secretary2", "secretary"),             # development.reveal
    ("set_local_day", _set_day, "town2_admin", "town_admin"),         # development.calendar on t1
    ("delete_local_day", _delete_day, "town2_admin", "town_admin"),
]


@pytest.mark.parametrize(("name", "prepare", "sibling", "holder"), CASES, ids=[c[0] for c in CASES])
def test_a_sibling_is_refused_and_nothing_is_written(world, name, prepare, sibling, holder):
    call = prepare(world)
    assert_refused_then_allowed(call, world.users[sibling], world.users[holder], _written)  # a reveal is audited


def test_the_upper_committee_step_stays_a_domain_rule_for_the_branch(world):
    """The branch secretary holds development.manage on the case, so the policy lets them in; the
    step whose responsible body is the upper committee is then refused by the rule, as a form error."""
    from django.core.exceptions import ValidationError

    from dangjian.core.errors import codes

    case = advance(world, open_case(world), 3)
    with pytest.raises(ValidationError) as exc:
        services.record_step(actor=world.users["secretary"], case=case, code=4, **step_kwargs(world, 4))
    assert codes(exc.value) == ["human_conclusion"]


def test_a_committee_member_may_not_reveal_an_applicants_id_number(world):
    case = open_case(world)
    before = AuditEvent.objects.count()
    with pytest.raises(policy.NotPermitted):
        services.reveal_field(actor=world.users["committee"], case=case, field="id_number")  # no development.reveal
    assert AuditEvent.objects.count() == before
