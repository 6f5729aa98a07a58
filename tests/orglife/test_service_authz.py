"""The service half of the one authorization rule (decisions.md 38) for org life: every service
asserts its actor against the POLICY row its view declares. An actor of a sibling organization
(secretary2 of 西村 for 东村's rows, the admin of 南镇 for 东镇's) is refused with
``not_permitted`` and nothing is written — no row, no audit event, no notice — while the actor in
scope succeeds. What a member does for themselves (ask for leave) is refused to another member."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core import policy
from dangjian.core.models import AuditEvent
from dangjian.notify.models import InboxMessage
from dangjian.orglife import selectors, services
from dangjian.orglife.models import (
    Attendance,
    Exemption,
    LeaveRequest,
    Meeting,
    MeetingType,
    PointsEntry,
    SigninDevice,
)
from tests.authz import assert_refused_then_allowed

from .conftest import NOW, mtype


def state() -> tuple:
    """Everything org life writes, so "nothing written" is one comparison."""
    return (
        list(Meeting.objects.order_by("pk").values_list("pk", "title", "place", "status", "starts_at")),
        list(Attendance.objects.order_by("pk").values_list("pk", "status", "makeup_on")),
        list(LeaveRequest.objects.order_by("pk").values_list("pk", "status")),
        list(Exemption.objects.order_by("pk").values_list("pk", "active", "ends_on")),
        list(SigninDevice.objects.order_by("pk").values_list("pk", "active")),
        list(MeetingType.objects.order_by("pk").values_list("pk", "name")),
        PointsEntry.objects.count(), AuditEvent.objects.count(), InboxMessage.objects.count(),
    )


def _plan_b1(world, plan, clock):
    t = mtype("theme_day")
    start = NOW + dt.timedelta(days=1)
    return lambda actor: services.plan_meeting(
        actor=actor, org=world.b1, meeting_type=t, title="主题党日", starts_at=start, ends_at=start + dt.timedelta(hours=2),
        place="活动室", host=world.m_secretary, recorder=world.m_committee, agenda="学习",
        invitees=list(selectors.default_invitees(world.b1, t)))


def _update_meeting(world, plan, clock):
    m = plan()
    invitees = [a.member for a in Attendance.objects.filter(meeting=m).select_related("member")]
    return lambda actor: services.update_meeting(
        actor=actor, meeting=m, title="改了", starts_at=m.starts_at, ends_at=m.ends_at, place="新地点", host=m.host,
        recorder=m.recorder, agenda=m.agenda, invitees=invitees)


def _cancel_meeting(world, plan, clock):
    m = plan()
    return lambda actor: services.cancel_meeting(actor=actor, meeting=m, reason="改期")


def _create_type(world, plan, clock):
    return lambda actor: services.create_meeting_type(
        actor=actor, owner=world.t1, data={"name": "东镇读书会", "audience": "all", "frequency": "month"})


def _own_type(world):
    return services.create_meeting_type(actor=None, owner=world.t1,
                                        data={"name": "东镇读书会", "audience": "all", "frequency": "month"})


def _update_type(world, plan, clock):
    t = _own_type(world)
    return lambda actor: services.update_meeting_type(actor=actor, meeting_type=t, data={"name": "东镇夜读"})


def _request_leave(world, plan, clock):
    att = Attendance.objects.get(meeting=plan(), member=world.m_member)
    return lambda actor: services.request_leave(actor=actor, attendance=att, reason="出差")


def _decide_leave(world, plan, clock):
    att = Attendance.objects.get(meeting=plan(), member=world.m_member)
    req = services.request_leave(actor=world.users["member"], attendance=att, reason="出差")
    return lambda actor: services.decide_leave(actor=actor, leave=req, approve=True)


def _record_makeup(world, plan, clock):
    m = services.open_signin(actor=None, meeting=plan(starts_at=NOW + dt.timedelta(minutes=20)))
    clock.move_to(NOW + dt.timedelta(hours=3))
    services.close_meeting(actor=None, meeting=m)
    att = Attendance.objects.get(meeting=m, member=world.m_member)
    return lambda actor: services.record_makeup(actor=actor, attendance=att, on=NOW.date(), how="self_study", note="自学")


def _create_exemption(world, plan, clock):
    return lambda actor: services.create_exemption(actor=actor, member=world.m_member, basis="frail", note="",
                                                   starts_on=NOW.date(), ends_on=None)


def _end_exemption(world, plan, clock):
    ex = services.create_exemption(actor=None, member=world.m_member, basis="frail", note="",
                                   starts_on=NOW.date(), ends_on=None)
    return lambda actor: services.end_exemption(actor=actor, exemption=ex)


def _create_device(world, plan, clock):
    return lambda actor: services.create_device(actor=actor, org=world.b1, name="终端")


def _deactivate_device(world, plan, clock):
    dev, _key = services.create_device(actor=None, org=world.b1, name="终端")
    return lambda actor: services.deactivate_device(actor=actor, device=dev)


# (service, set-up returning call(actor), the actor in scope, the refused actor; POLICY row)
CASES = [
    ("plan_meeting", _plan_b1, "secretary", "secretary2"),              # meeting plan (b1)
    ("plan_meeting_town", _plan_b1, "town_admin", "town2_admin"),      # meeting plan (b1 under t1)
    ("update_meeting", _update_meeting, "secretary", "secretary2"),    # meeting plan
    ("cancel_meeting", _cancel_meeting, "committee", "secretary2"),    # meeting plan
    ("create_meeting_type", _create_type, "town_admin", "town2_admin"),  # meeting_type configure (t1)
    ("update_meeting_type", _update_type, "town_admin", "town2_admin"),  # meeting_type configure
    ("request_leave", _request_leave, "member", "committee"),          # the member themself
    ("request_leave_staff", _request_leave, "member", "secretary"),    # not even their secretary
    ("decide_leave", _decide_leave, "secretary", "secretary2"),        # meeting manage
    ("record_makeup", _record_makeup, "secretary", "secretary2"),      # attendance manage
    ("create_exemption", _create_exemption, "secretary", "secretary2"),  # exemption manage (member's b1)
    ("end_exemption", _end_exemption, "secretary", "town2_admin"),     # exemption manage
    ("create_device", _create_device, "secretary", "secretary2"),      # signin_device manage (b1)
    ("deactivate_device", _deactivate_device, "secretary", "town2_admin"),  # signin_device manage
]


@pytest.mark.parametrize(("setup", "insider", "sibling"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sibling_is_refused_and_nothing_is_written_while_the_actor_in_scope_succeeds(world, plan, clock, setup, insider,
                                                                                      sibling):
    call = setup(world, plan, clock)
    assert_refused_then_allowed(call, world.users[sibling], world.users[insider], state)


def test_outsider_without_any_role_is_refused(world, plan, clock):
    m = plan()
    before = state()
    with pytest.raises(policy.NotPermitted):
        services.cancel_meeting(actor=world.users["outsider"], meeting=m, reason="改期")
    assert state() == before


def test_not_permitted_comes_before_the_domain_refusals(world, plan, clock):
    """"You may not act here" (403) before "this cannot be done" (a form error): the sibling learns
    nothing about the row from the refusal."""
    m = plan()
    with pytest.raises(policy.NotPermitted):
        services.cancel_meeting(actor=world.users["secretary2"], meeting=m, reason="")  # no_reason for the secretary
    with pytest.raises(policy.NotPermitted):
        services.create_device(actor=world.users["secretary2"], org=world.b1, name="")  # no_name
    with pytest.raises(policy.NotPermitted):  # a built-in type is in nobody's scope, not even the city's
        services.update_meeting_type(actor=world.users["city_admin"], meeting_type=mtype("theme_day"), data={"name": "x"})


def test_the_system_passes(world, plan, clock):
    """``actor=None`` is the system (jobs, the demo, management commands)."""
    m = plan()
    assert services.cancel_meeting(actor=None, meeting=m, reason="改期").status == "cancelled"
