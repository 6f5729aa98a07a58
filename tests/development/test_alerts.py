"""Due / overdue alerts (DOMAIN §11 [warn→red], [remind]), the daily reminder job (idempotent),
and the org-level Huaining colours."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from dangjian.development.models import CaseAssessment
from dangjian.development.selectors import alerts_for, org_warnings, pipeline
from dangjian.development.tasks import send_reminders
from dangjian.notify.models import InboxMessage as Message

from .helpers import advance, open_case, record

D = dt.date


def kinds(case, today):
    return [(a.rule_id, a.severity) for a in alerts_for(case, today)]


def test_talk_due_then_red(world):
    case = open_case(world, application_date=D(2023, 3, 1))
    assert kinds(case, D(2023, 3, 20)) == []
    assert kinds(case, D(2023, 3, 25)) == [("talk_1m", "warn")]
    assert kinds(case, D(2023, 4, 1)) == [("talk_1m", "warn")]
    assert kinds(case, D(2023, 4, 2)) == [("talk_1m", "red")]


def test_half_yearly_assessment(world):
    case = advance(world, open_case(world), 3)  # activist 2023-07-03
    assert kinds(case, D(2024, 1, 3)) == [("assess_6m", "remind")]
    assert kinds(case, D(2024, 1, 4)) == [("assess_6m", "warn")]
    CaseAssessment.objects.create(case=case, org_path=case.org_path, date=D(2024, 1, 2), entered_by=world.users["secretary"])
    assert kinds(case, D(2024, 1, 4)) == []


def test_approval_overdue_and_probation_reminders(world):
    case = advance(world, open_case(world), 16)  # 支部大会 2024-09-20
    assert kinds(case, D(2024, 12, 20)) == []
    assert kinds(case, D(2024, 12, 21)) == [("approval_3m", "warn")]
    assert kinds(case, D(2025, 3, 21)) == [("approval_6m", "red")]
    case = advance(world, case, 20)  # probation ends 2025-09-20
    assert kinds(case, D(2025, 8, 19)) == []
    assert kinds(case, D(2025, 8, 20)) == [("probation_1y", "remind")]
    assert kinds(case, D(2025, 9, 13)) == [("probation_1y", "remind")]
    assert kinds(case, D(2025, 9, 21)) == [("conversion_overdue", "warn")]


def test_reminders_are_sent_once(world):
    from zoneinfo import ZoneInfo

    import time_machine

    case = open_case(world, application_date=D(2023, 3, 1))
    sec = world.users["secretary"]
    before = Message.objects.filter(user=sec).count()
    with time_machine.travel(dt.datetime(2023, 3, 26, 8, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert send_reminders() == 1
        assert send_reminders() == 0
    with time_machine.travel(dt.datetime(2023, 4, 5, 8, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert send_reminders() == 0  # same deadline: the "overdue" state of the same reminder is not resent
    assert Message.objects.filter(user=sec).count() == before + 1
    record(world, case, 2, date=D(2023, 3, 20))


def test_org_colours(world):
    today = D(2026, 11, 25)
    w = org_warnings([world.b1, world.b2, world.b3], today)
    # b1 has a member who joined 2026-03-01 (钱预备): developed this year, but no activist → blue
    assert w[world.b1.pk]["level"] == "blue"
    levels = {b: w[b.pk]["level"] for b in (world.b2, world.b3)}
    assert all(v in ("yellow", "orange", "red") for v in levels.values())
    with override_settings(DANGJIAN_DEVELOPMENT_ORG_WARNINGS={"enabled": False}):
        assert org_warnings([world.b1], today) == {}


def test_pipeline_counts(world):
    open_case(world)
    advance(world, open_case(world, name="甲"), 3)
    advance(world, open_case(world, name="乙"), 17)
    rows = pipeline([world.b1, world.b2], D(2026, 11, 25))
    b1 = rows[0]
    assert b1["counts"] == {"applicant": 1, "activist": 1, "object": 0, "probationary": 1}
    assert b1["red"] >= 1  # the applicant has no talk for years; the probationary member is overdue


def test_probation_reminder_also_reaches_the_member(world):
    from zoneinfo import ZoneInfo

    import time_machine
    from django.contrib.auth import get_user_model

    case = advance(world, open_case(world), 20)  # probation ends 2025-09-20
    u = get_user_model().objects.create_user(username="newmember", password="x-Very-Long-Password-1")
    case.member.user = u
    case.member.save(update_fields=["user"])
    with time_machine.travel(dt.datetime(2025, 8, 21, 8, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert send_reminders() == 1
    assert Message.objects.filter(user=u, kind="development.probation").count() == 1
    assert Message.objects.filter(user=world.users["secretary"], kind="development.probation").count() == 1
    with time_machine.travel(dt.datetime(2025, 9, 14, 8, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert send_reminders() == 1  # the one-week reminder is a new one
    assert Message.objects.filter(user=u, kind="development.probation").count() == 2


def test_stop_and_assessment(world):
    from django.core.exceptions import ValidationError

    from dangjian.core.errors import codes
    from dangjian.development import services

    case = advance(world, open_case(world), 3)
    with pytest.raises(ValidationError) as exc:
        services.add_assessment(actor=world.users["secretary"], case=case, date=D(2023, 7, 1))  # before the activist date
    assert codes(exc.value) == ["date_out_of_range"]
    services.add_assessment(actor=world.users["secretary"], case=case, date=D(2024, 1, 2), note="表现良好")
    assert CaseAssessment.objects.filter(case=case).count() == 1
    with pytest.raises(ValidationError) as exc:
        services.stop_case(actor=world.users["secretary"], case=case, reason=" ")
    assert codes(exc.value) == ["no_reason"]
    services.stop_case(actor=world.users["secretary"], case=case, reason="本人撤回申请")
    case.refresh_from_db()
    assert case.status == "stopped" and alerts_for(case, D(2030, 1, 1)) == []
    with pytest.raises(ValidationError) as exc:
        record(world, case, 4)
    assert codes(exc.value) == ["step_order"]
    with pytest.raises(ValidationError) as exc:
        services.stop_case(actor=world.users["secretary"], case=case, reason="再次")
    assert codes(exc.value) == ["case_closed"]


@pytest.mark.parametrize("joined_year,activist,level", [
    (2026, True, None), (2026, False, "blue"), (2025, True, "yellow"), (2024, True, "orange"), (2023, True, "red"), (None, False, "red"),
])
def test_huaining_colour_boundaries(world, joined_year, activist, level):
    from dangjian.core import services as org_services
    from dangjian.development.models import CaseStep
    from dangjian.members import services as member_services
    from tests.factories import member_data

    b = org_services.create_organization(actor=None, parent=world.t1, name="测试村党支部", kind="branch", area_type="village")
    if joined_year:
        member_services.create_member(actor=None, org=b, data=member_data(name="新党员", status="probationary",
                                                                           joined_on=D(joined_year, 6, 1)))
    if activist:
        from .matrix import make_case

        case = make_case(world, b, None)
        CaseStep.objects.create(case=case, org_path=b.path, code=3, order=3, date=D(2026, 2, 1), body="branch_committee",
                                entered_by=world.users["secretary"])
    w = org_warnings([b], D(2026, 11, 25))
    assert (w[b.pk]["level"] if b.pk in w else None) == level
