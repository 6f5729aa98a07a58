"""A 支部党员大会 of branch B1 two days ago, with its attendance taken:

* host 李书记 (user ``secretary``) and recorder 王委员 (user ``committee``) present;
* 赵党员 (user ``member``) on leave with a reason; 钱预备 (probationary) absent without a reason.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone


def make_meeting(world, *, org=None, code="general_meeting", days_ago=2, status="open", attendance=True, title=None):
    from dangjian.orglife.models import Attendance, Meeting, MeetingType

    org = org or world.b1
    start = timezone.now() - dt.timedelta(days=days_ago)
    mtype = MeetingType.objects.get(code=code, owner_path="")
    m = Meeting.objects.create(
        org=org, org_path=org.path, type=mtype, title=title or f"{mtype.name}（第三季度）", starts_at=start,
        ends_at=start + dt.timedelta(hours=2), place="村党员活动室", host=world.m_secretary,
        recorder=world.m_committee, agenda="1. 学习支部工作条例\n2. 讨论接收预备党员", status=status,
    )
    if attendance:
        rows = [
            (world.m_secretary, "present", ""),
            (world.m_committee, "present", ""),
            (world.m_member, "leave", "外出务工"),
            (world.m_probationary, "absent", ""),
        ]
        for member, st, reason in rows:
            Attendance.objects.create(meeting=m, member=member, org_path=org.path, status=st, reason=reason)
    return m


def complete(record, world, **extra):
    """Fill every [block] field of a draft through the service (as the secretary)."""
    from dangjian.minutes import services

    data = {"decisions": "同意接收张三为预备党员。", "agenda": record.agenda or "学习", **extra}
    reasons = {a["member"]: "生病" for a in record.absentees if not a["reason"]}
    return services.update_record(actor=world.users["secretary"], record=record, data=data, absentee_reasons=reasons)


@pytest.fixture
def gm(world):
    from dangjian.minutes import services

    meeting = make_meeting(world)
    record = services.start_record(actor=world.users["secretary"], meeting=meeting)
    return SimpleNamespace(meeting=meeting, record=record)
