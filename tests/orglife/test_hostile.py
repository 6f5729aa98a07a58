"""Malformed input to org-life pages never produces a server error and writes nothing half-way."""
from __future__ import annotations

from django.urls import reverse

from dangjian.orglife.models import Attendance, LeaveRequest, Meeting

GARBAGE = ["\x00", "x" * 5000, "-1", "9" * 40, "1e3", ""]


def test_garbage_queries_and_bodies(world, login, plan, open_meeting):
    m = plan(title="garbage")
    c = login(world.users["secretary"])
    for v in GARBAGE:
        for name, q in (("orglife-meetings", {"org": v, "type": v, "month": v, "page": v}),
                        ("orglife-meeting-plan", {"org": v} if v not in ("", "-1") else {"type": v}),
                        ("orglife-exemptions", {"page": v})):
            r = c.get(reverse(name), q)
            assert r.status_code < 500, (name, v, r.status_code)
        r = c.post(reverse("orglife-leave-decide", kwargs={"pk": m.pk}), {"leave": v, "decision": v, "note": v})
        assert r.status_code == 302
        r = c.post(reverse("orglife-roll-call", kwargs={"pk": open_meeting.pk}), {"attendance": v, "status": v})
        assert r.status_code == 302  # refused with a message, back to the roll call
        r = c.post(reverse("orglife-meeting-plan") + f"?org={world.b1.pk}",
                   {"meeting_type": v, "starts_at": v, "ends_at": v, "place": v, "host": v, "recorder": v, "invitees": [v]})
        assert r.status_code == 200
        r = c.post(reverse("orglife-exemption-add"), {"member": v, "basis": v, "starts_on": v, "ends_on": v, "note": v})
        assert r.status_code == 200
    a = Attendance.objects.get(meeting=m, member=world.m_member)
    mc = login(world.users["member"], c.__class__())
    r = mc.post(reverse("orglife-leave-request", kwargs={"pk": a.pk}), {"reason": "a\x00b"})
    assert r.status_code == 200 and not LeaveRequest.objects.exists()
    for token in ["\x00", "1-1-" + "z" * 32, "0-0-" + "0" * 32, "9" * 19 + "-1-" + "0" * 32]:
        r = mc.post(f"/orglife/s/{token}/")
        assert r.status_code == 400, (token, r.status_code)
    assert Meeting.objects.count() == 2
