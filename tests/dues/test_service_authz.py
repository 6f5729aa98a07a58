"""The services assert their actor (decisions.md 38): whoever reaches a dues service outside the
POLICY row of its view — a sibling branch's secretary, another town's organization department,
a branch that is not the member's inflow organization — is refused with ``policy.NotPermitted``
(code ``not_permitted``) before any rule of the dues regulations, and nothing is written; the
actor who holds the row there succeeds."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.core import policy
from dangjian.core.models import AuditEvent
from dangjian.dues import services
from dangjian.dues.models import (
    DuesBill,
    DuesPayment,
    DuesProfile,
    DuesProfileChange,
    HardshipApproval,
    ReviewCase,
)
from dangjian.publicity.api import Notice
from tests.authz import assert_refused_then_allowed

from .conftest import at

M = dt.date

pytestmark = pytest.mark.django_db


def _written() -> tuple:
    """Everything a dues service may write (rows, and the state of bills, hardships and cases)."""
    models = (DuesProfile, DuesProfileChange, DuesBill, DuesPayment, HardshipApproval, ReviewCase, Notice, AuditEvent)
    return tuple(m.objects.count() for m in models) + (
        tuple(DuesBill.objects.order_by("pk").values_list("status", "amount_due")),
        tuple(HardshipApproval.objects.order_by("pk").values_list("status")),
        tuple(ReviewCase.objects.order_by("pk").values_list("status")),
    )


def _bills(world):
    services.generate_bills(actor=None, month=M(2026, 9, 1), org=world.b1)
    return DuesBill.objects.get(member=world.m_member, month=M(2026, 9, 1))


# -- each service: (prepare the world, return the call taking the actor) ----------------------------
def _set_profile(world):
    return lambda actor: services.set_profile(actor=actor, member=world.m_member, category="salaried", base=Decimal("6000"),
                                              effective_month=M(2026, 10, 1), reason="salary")


def _request_hardship(world):
    return lambda actor: services.request_hardship(actor=actor, member=world.m_member, amount=Decimal("0"), reason="重病",
                                                   study_date=M(2026, 10, 1), study_record="支委会研究", from_month=M(2026, 10, 1))


def _decide_hardship(world):
    h = services.request_hardship(actor=None, member=world.m_member, amount=Decimal("0"), reason="重病", study_date=M(2026, 10, 1),
                                  study_record="支委会研究", from_month=M(2026, 10, 1))
    return lambda actor: services.decide_hardship(actor=actor, hardship=h, approve=True, approval_record="东镇党委〔2026〕1号")


def _generate_bills(world):
    return lambda actor: services.generate_bills(actor=actor, month=M(2026, 10, 1), org=world.b1)


def _excuse_bill(world):
    bill = _bills(world)
    return lambda actor: services.excuse_bill(actor=actor, bill=bill, reason="住院治疗")


def _record_payment(world):
    return lambda actor: services.record_payment(actor=actor, member=world.m_member, first_month=M(2026, 10, 1), months=1,
                                                 method="cash", paid_on=M(2026, 10, 15))


def _record_inflow_payment(world):
    from dangjian.transfers import services as transfers
    from dangjian.transfers.models import InflowRecord

    rec = transfers.flag_away(actor=world.users["secretary"], member=world.m_member, kind="flowing", since=M(2026, 1, 1),
                              whereabouts="西村", contact_person="王委员", inflow_org=world.b2, activity_cert_no="LD2026-0012")
    record = InflowRecord.objects.get(pk=rec.pk)
    return lambda actor: services.record_inflow_payment(actor=actor, record=record, first_month=M(2026, 10, 1), months=1,
                                                        method="cash", paid_on=M(2026, 10, 15))


def _decide_case(world):
    case = ReviewCase.objects.create(member=world.m_member, since_month=M(2026, 3, 1), months_unpaid=6)
    return lambda actor: services.decide_case(actor=actor, case=case, meeting_date=M(2026, 10, 1), decision="批评教育，限期补交")


def _publish_totals(world):
    _bills(world)
    return lambda actor: services.publish_totals(actor=actor, org=world.b1, month=M(2026, 9, 1))


# service, prepare, the sibling who is refused, the actor who holds the row
CASES = [
    ("set_profile", _set_profile, "secretary2", "secretary"),                # dues.configure on the member
    ("request_hardship", _request_hardship, "secretary2", "secretary"),
    ("decide_hardship", _decide_hardship, "town2_admin", "town_admin"),      # dues.approve_hardship: the committee above
    ("generate_bills", _generate_bills, "secretary2", "secretary"),          # dues.record on b1
    ("excuse_bill", _excuse_bill, "secretary2", "committee"),
    ("record_payment", _record_payment, "secretary2", "secretary"),
    ("record_inflow_payment", _record_inflow_payment, "secretary", "secretary2"),  # flowing_in.collect_dues at b2
    ("decide_case", _decide_case, "secretary2", "secretary"),
    ("publish_totals", _publish_totals, "secretary2", "secretary"),
]


@pytest.mark.parametrize(("name", "prepare", "sibling", "holder"), CASES, ids=[c[0] for c in CASES])
def test_a_sibling_is_refused_and_nothing_is_written(world, profiled, name, prepare, sibling, holder):
    with at(2026, 10, 15):
        call = prepare(world)
        assert_refused_then_allowed(call, world.users[sibling], world.users[holder], _written)


def test_everyones_bills_are_the_systems(world, profiled):
    """``generate_bills`` without an organization bills every member: the monthly job (actor None)
    may, a person may not — not even a county admin, who records no dues."""
    with at(2026, 10, 15):
        for who in ("secretary", "county_admin"):
            with pytest.raises(policy.NotPermitted):
                services.generate_bills(actor=world.users[who], month=M(2026, 10, 1))
        assert not DuesBill.objects.filter(month=M(2026, 10, 1)).exists()
        assert services.generate_bills(actor=None, month=M(2026, 10, 1))["created"] >= 5


def test_another_towns_department_collects_no_inflow_dues(world, profiled):
    """flowing_in.collect_dues reaches the inflow branch's subtree only: 南镇 (t2) is refused, and
    the member's own secretary records the payment at home instead (dues.record)."""
    with at(2026, 10, 15):
        call = _record_inflow_payment(world)
        with pytest.raises(policy.NotPermitted):
            call(world.users["town2_admin"])
        assert not DuesPayment.objects.exists()
        p, _w = _record_payment(world)(world.users["secretary"])
        assert p.collected_by is None
