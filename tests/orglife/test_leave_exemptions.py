"""Leave before the start (DOMAIN §1.1) and exemptions by rule (教育管理条例 art. 23)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.errors import REFUSAL_HEADER
from dangjian.core.models import AuditEvent
from dangjian.notify.models import InboxMessage
from dangjian.orglife import selectors, services
from dangjian.orglife.models import Attendance, AttendanceStatus, Exemption, LeaveRequest, LeaveStatus

from .conftest import NOW

S = AttendanceStatus


def att(meeting, member):
    return Attendance.objects.get(meeting=meeting, member=member)


def test_member_asks_for_leave_and_secretary_approves(world, login, plan):
    m = plan()
    c = login(world.users["member"])
    a = att(m, world.m_member)
    r = c.get(reverse("orglife-my-meetings"))
    assert reverse("orglife-leave-request", kwargs={"pk": a.pk}).encode() in r.content
    r = c.post(reverse("orglife-leave-request", kwargs={"pk": a.pk}), {"reason": ""})
    assert r.status_code == 200 and "reason" in r.context["form"].errors
    r = c.post(reverse("orglife-leave-request", kwargs={"pk": a.pk}), {"reason": "外出务工"})
    assert r.status_code == 302
    req = LeaveRequest.objects.get()
    assert req.status == LeaveStatus.PENDING and att(m, world.m_member).status == S.INVITED
    assert InboxMessage.objects.filter(kind="orglife.leave_requested", user=world.users["secretary"], body__contains="外出务工").exists()
    r = c.post(reverse("orglife-leave-request", kwargs={"pk": a.pk}), {"reason": "再次"})
    assert r.status_code == 200 and LeaveRequest.objects.count() == 1  # asked already
    s = login(world.users["secretary"], c.__class__())
    r = s.get(reverse("orglife-meeting-detail", kwargs={"pk": m.pk}))
    assert b"approve-leave" in r.content
    r = s.post(reverse("orglife-leave-decide", kwargs={"pk": m.pk}), {"leave": req.pk, "decision": "approve", "note": "注意安全"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == S.LEAVE and a.reason == "外出务工"
    assert InboxMessage.objects.filter(kind="orglife.leave_approved", user=world.users["member"], body__contains="注意安全").exists()
    assert AuditEvent.objects.filter(action__in=["orglife.leave_request", "orglife.leave_decide"]).count() == 2
    with pytest.raises(ValidationError) as e:
        services.decide_leave(actor=world.users["secretary"], leave=req, approve=False)
    assert e.value.code == "already_decided"


def test_rejection_keeps_the_invitation_and_tells_the_member(world, plan):
    m = plan()
    req = services.request_leave(actor=world.users["member"], attendance=att(m, world.m_member), reason="有事")
    services.decide_leave(actor=world.users["secretary"], leave=req, approve=False)
    assert att(m, world.m_member).status == S.INVITED
    assert InboxMessage.objects.filter(kind="orglife.leave_rejected", user=world.users["member"]).exists()


def test_no_leave_after_the_start(world, login, plan, clock):
    m = plan(starts_at=NOW + dt.timedelta(minutes=30))
    clock.move_to(NOW + dt.timedelta(minutes=31))
    a = att(m, world.m_member)
    r = login(world.users["member"]).post(reverse("orglife-leave-request", kwargs={"pk": a.pk}), {"reason": "晚了"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "too_late"
    assert not LeaveRequest.objects.exists()


def test_leave_of_someone_else_is_not_reachable(world, login, plan):
    m = plan()
    other = att(m, world.m_committee)
    assert login(world.users["member"]).get(reverse("orglife-leave-request", kwargs={"pk": other.pk})).status_code == 404


def test_closing_waits_for_pending_leave(world, plan, clock):
    m = plan(starts_at=NOW + dt.timedelta(minutes=30))
    req = services.request_leave(actor=world.users["member"], attendance=att(m, world.m_member), reason="病了")
    services.open_signin(actor=world.users["secretary"], meeting=m)
    with pytest.raises(ValidationError) as e:
        services.close_meeting(actor=world.users["secretary"], meeting=m)
    assert e.value.code == "leave_pending"
    services.decide_leave(actor=world.users["secretary"], leave=req, approve=True)
    summary = services.close_meeting(actor=world.users["secretary"], meeting=m)
    assert summary["leave"] == 1 and att(m, world.m_member).status == S.LEAVE


def test_exempt_members_are_invited_as_exempt_and_out_of_the_denominator(world, login, plan, clock):
    c = login(world.users["secretary"])
    r = c.post(reverse("orglife-exemption-add"), {"member": world.m_probationary.pk, "basis": "ill", "note": "长期住院",
                                                  "starts_on": "2026-11-01", "ends_on": ""})
    assert r.status_code == 302
    ex = Exemption.objects.get()
    assert ex.active and ex.created_by == world.users["secretary"]
    ev = AuditEvent.objects.get(action="orglife.exemption_create")
    assert "长期住院" not in str(ev.data)  # the health note stays out of the audit data
    m = plan()
    a = att(m, world.m_probationary)
    assert a.status == S.EXEMPT and "第二十三条" in a.reason and "住院" not in a.reason
    summary = selectors.attendance_summary(m)
    assert summary["should"] == 4 and summary["exempt"] == 1
    assert not InboxMessage.objects.filter(kind="orglife.meeting_planned", user__member=world.m_probationary).exists()
    # overlapping exemption refused; ending it brings the member back for new meetings
    r = c.post(reverse("orglife-exemption-add"), {"member": world.m_probationary.pk, "basis": "old", "starts_on": "2026-11-10"})
    assert r.status_code == 200 and "member" in r.context["form"].errors
    assert c.post(reverse("orglife-exemption-end", kwargs={"pk": ex.pk})).status_code == 302
    m2 = plan(title="下一次")
    assert att(m2, world.m_probationary).status == S.INVITED


def test_exemption_with_an_end_date(world, plan):
    services.create_exemption(actor=world.users["secretary"], member=world.m_member, basis="frail", note="",
                              starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 11, 20))
    m = plan()  # tomorrow, 11-21: the exemption is over
    assert att(m, world.m_member).status == S.INVITED
    with pytest.raises(ValidationError) as e:
        services.create_exemption(actor=world.users["secretary"], member=world.m_committee, basis="old", note="",
                                  starts_on=dt.date(2026, 11, 5), ends_on=dt.date(2026, 11, 1))
    assert [x.code for x in e.value.error_dict["ends_on"]] == ["ends_before_start"]


def test_exemption_list_is_staff_only(world, login):
    services.create_exemption(actor=world.users["secretary"], member=world.m_member, basis="old", note="腰椎手术康复中",
                              starts_on=dt.date(2026, 11, 1), ends_on=None)
    assert "腰椎手术康复中" in login(world.users["secretary"]).get(reverse("orglife-exemptions")).content.decode()
    from django.test import Client

    assert login(world.users["member"], Client()).get(reverse("orglife-exemptions")).status_code == 403
    assert "腰椎手术康复中" not in login(world.users["secretary2"], Client()).get(reverse("orglife-exemptions")).content.decode()
