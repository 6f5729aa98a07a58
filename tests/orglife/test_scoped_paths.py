"""Issue 9 item 2: the org-life services no longer copy paths by hand; every row they write
still carries its scope (the declared ``OrgPathField`` fills itself from its source)."""
from __future__ import annotations

import datetime as dt

from dangjian.orglife import services, talks
from dangjian.orglife.models import Attendance, Exemption, LeaveRequest, Meeting, PointsEntry, SigninDevice

from .conftest import NOW


def test_planned_meeting_and_its_invitations_carry_the_branch_path(world, plan):
    m = plan()
    assert Meeting.objects.get(pk=m.pk).org_path == world.b1.path
    assert set(Attendance.objects.filter(meeting=m).values_list("org_path", flat=True)) == {world.b1.path}


def test_members_added_later_points_and_leave_carry_the_meetings_path(world, plan, clock):
    m = plan(code="committee_meeting", starts_at=NOW + dt.timedelta(minutes=30), invitees=[world.m_secretary, world.m_committee])
    services.update_meeting(actor=world.users["secretary"], meeting=m, title=m.title, starts_at=m.starts_at,
                            ends_at=m.ends_at, place=m.place, host=m.host, recorder=m.recorder, agenda=m.agenda,
                            invitees=[world.m_secretary, world.m_committee, world.m_member])
    assert Attendance.objects.get(meeting=m, member=world.m_member).org_path == world.b1.path
    a = Attendance.objects.get(meeting=m, member=world.m_member)
    services.request_leave(actor=world.users["member"], attendance=a, reason="病了")
    assert LeaveRequest.objects.get().org_path == world.b1.path
    services.open_signin(actor=world.users["secretary"], meeting=m)
    services.sign_in(actor=world.users["secretary"], meeting=m, member=world.m_secretary, method="roll_call")
    services.award_points(meeting=m)
    assert set(PointsEntry.objects.filter(meeting=m).values_list("org_path", flat=True)) == {world.b1.path}


def test_exemption_device_and_talk_carry_their_sources_path(world):
    services.create_exemption(actor=world.users["secretary"], member=world.m_member, basis="frail", note="",
                              starts_on=dt.date(2026, 11, 1), ends_on=None)
    assert Exemption.objects.get().org_path == world.m_member.org_path
    dev, _key = services.create_device(actor=world.users["secretary"], org=world.b1, name="终端")
    assert SigninDevice.objects.get(pk=dev.pk).org_path == world.b1.path
    talk = talks.record_talk(actor=world.users["secretary"], org=world.b1, held_on=dt.date(2026, 11, 1),
                             first=world.m_secretary, second=world.m_member, subject="思想和工作情况")
    talk.refresh_from_db()
    assert talk.org_path == world.b1.path
