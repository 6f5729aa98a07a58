"""Holding a meeting, the service half of the one authorization rule (decisions.md 38): opening
sign-in, the roll call and closing need "meeting manage" on the meeting, whoever calls the
service (a view, REST, another app); a member signs in only themself. Refusals are
``not_permitted`` and change nothing."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core import policy
from dangjian.core.models import AuditEvent
from dangjian.orglife import services
from dangjian.orglife.models import Attendance, MeetingStatus

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _state(meeting):
    meeting.refresh_from_db()
    return meeting.status, list(Attendance.objects.filter(meeting=meeting).order_by("pk").values_list("status", flat=True)), \
        AuditEvent.objects.count()


@pytest.mark.parametrize("who", ["secretary2", "town2_admin", "member", "outsider"])
def test_opening_signin_outside_ones_scope_is_refused_and_changes_nothing(world, plan, who):
    m = plan(starts_at=NOW + dt.timedelta(minutes=30))
    before = _state(m)
    with pytest.raises(policy.NotPermitted) as exc:
        services.open_signin(actor=world.users[who], meeting=m)
    assert exc.value.code == "not_permitted"
    assert _state(m) == before and before[0] == MeetingStatus.PLANNED


@pytest.mark.parametrize("who", ["secretary", "committee", "town_admin", "county_admin"])
def test_branch_staff_and_the_orgs_above_open_signin(world, plan, who):
    m = plan(starts_at=NOW + dt.timedelta(minutes=30))
    assert services.open_signin(actor=world.users[who], meeting=m).status == MeetingStatus.OPEN


@pytest.mark.parametrize("who", ["secretary2", "town2_admin", "member"])
def test_roll_call_and_closing_outside_ones_scope_are_refused(world, open_meeting, who):
    att = Attendance.objects.get(meeting=open_meeting, member=world.m_member)
    before = _state(open_meeting)
    with pytest.raises(policy.NotPermitted):
        services.roll_call(actor=world.users[who], meeting=open_meeting, attendance=att, status="present")
    with pytest.raises(policy.NotPermitted):
        services.close_meeting(actor=world.users[who], meeting=open_meeting)
    assert _state(open_meeting) == before and before[0] == MeetingStatus.OPEN


def test_the_secretary_takes_the_roll_call_and_closes(world, open_meeting):
    att = Attendance.objects.get(meeting=open_meeting, member=world.m_member)
    assert services.roll_call(actor=world.users["secretary"], meeting=open_meeting, attendance=att, status="present").status == "present"
    services.close_meeting(actor=world.users["secretary"], meeting=open_meeting)
    open_meeting.refresh_from_db()
    assert open_meeting.status == MeetingStatus.CLOSED


def test_a_member_signs_in_only_themself(world, open_meeting):
    before = _state(open_meeting)
    for who in ("secretary", "committee"):  # even branch staff: signing in is the member's own act
        with pytest.raises(policy.NotPermitted) as exc:
            services.sign_in(actor=world.users[who], meeting=open_meeting, member=world.m_member, method="qr")
        assert exc.value.code == "not_permitted"
    assert _state(open_meeting) == before
    att, created = services.sign_in(actor=world.users["member"], meeting=open_meeting, member=world.m_member, method="qr")
    assert created and att.status == "present"


def test_a_terminal_signs_in_as_the_system(world, open_meeting):
    att, created = services.sign_in(actor=None, meeting=open_meeting, member=world.m_member, method="device")
    assert created and att.recorded_by_id is None
