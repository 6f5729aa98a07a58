"""补课 (DOMAIN §1.1: absentees make up): recorded by branch staff after the meeting for a member
who was absent or on leave; attendance itself unchanged; once; points of the rule table; shown on
the meeting and in the member's file; refused with a clear message otherwise, nothing written."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.errors import codes
from dangjian.core.models import AuditEvent
from dangjian.orglife import services
from dangjian.orglife.models import Attendance, PointsEntry

from .conftest import NOW


@pytest.fixture
def closed(world, plan, clock):
    m = services.open_signin(actor=world.users["secretary"], meeting=plan(starts_at=NOW + dt.timedelta(minutes=20)))
    services.roll_call(actor=world.users["secretary"], meeting=m, attendance=Attendance.objects.get(meeting=m, member=world.m_secretary),
                       status="present")
    clock.move_to(NOW + dt.timedelta(hours=3))
    services.close_meeting(actor=world.users["secretary"], meeting=m)
    return m


def test_secretary_records_makeup_for_an_absent_member(world, login, closed, clock):
    att = Attendance.objects.get(meeting=closed, member=world.m_member)
    assert att.status == "absent"
    c = login(world.users["secretary"])
    page = c.get(reverse("orglife-meeting-detail", kwargs={"pk": closed.pk})).content.decode()
    assert reverse("orglife-attendance-makeup", kwargs={"pk": att.pk}) in page
    clock.move_to(NOW + dt.timedelta(days=3))
    c = login(world.users["secretary"])  # a new day, a new session (12 h absolute limit)
    r = c.post(reverse("orglife-attendance-makeup", kwargs={"pk": att.pk}),
               {"on": str((NOW + dt.timedelta(days=2)).date()), "how": "self_study", "note": "自学会议材料，书记谈话检查"})
    assert r.status_code == 302 and r["Location"] == reverse("orglife-meeting-detail", kwargs={"pk": closed.pk})
    att.refresh_from_db()
    assert att.status == "absent" and att.makeup_on == (NOW + dt.timedelta(days=2)).date()
    assert PointsEntry.objects.filter(member=world.m_member, meeting=closed, rule_id="orglife.makeup", delta=1).count() == 1
    assert AuditEvent.objects.filter(action="orglife.makeup").count() == 1
    page = c.get(reverse("orglife-meeting-detail", kwargs={"pk": closed.pk})).content.decode()
    assert 'data-testid="makeup-done"' in page
    panel = login(world.users["member"]).get(reverse("member-detail", args=[world.m_member.pk])).content.decode()
    assert 'data-testid="member-makeup"' in panel and 'data-testid="study-hours"' in panel
    with pytest.raises(ValidationError) as e:
        services.record_makeup(actor=world.users["secretary"], attendance=att, on=NOW.date(), how="group", note="再补")
    assert e.value.code == "already_made_up"
    assert PointsEntry.objects.filter(rule_id="orglife.makeup").count() == 1


def test_makeup_refusals_write_nothing(world, login, closed, plan, clock):
    present = Attendance.objects.get(meeting=closed, member=world.m_secretary)
    absent = Attendance.objects.get(meeting=closed, member=world.m_member)
    before = AuditEvent.objects.count()
    for att, on, how, note, code in [
        (present, NOW.date(), "group", "x", "not_absent"),                       # was present
        (absent, NOW.date() - dt.timedelta(days=1), "group", "x", "date_out_of_range"),  # before the meeting
        (absent, NOW.date() + dt.timedelta(days=30), "group", "x", "date_out_of_range"),  # in the future
        (absent, NOW.date(), "nonsense", "x", "no_how"),                      # unknown way
        (absent, NOW.date(), "group", " ", "no_note"),                        # no content
    ]:
        with pytest.raises(ValidationError) as e:
            services.record_makeup(actor=world.users["secretary"], attendance=att, on=on, how=how, note=note)
        assert codes(e.value) == [code]
    assert AuditEvent.objects.count() == before
    absent.refresh_from_db()
    assert absent.makeup_on is None
    # a planned meeting has nothing to make up yet; a member cannot record their own 补课
    m = plan(starts_at=NOW + dt.timedelta(days=2))
    att = Attendance.objects.get(meeting=m, member=world.m_member)
    with pytest.raises(ValidationError) as e:
        services.record_makeup(actor=world.users["secretary"], attendance=att, on=NOW.date(), how="group", note="x")
    assert e.value.code == "not_ended"
    r = login(world.users["member"]).post(reverse("orglife-attendance-makeup", kwargs={"pk": absent.pk}),
                                          {"on": str(NOW.date()), "how": "group", "note": "x"})
    assert r.status_code == 403
