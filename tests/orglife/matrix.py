"""Org life's object makers for the authz matrix (tests/core/test_authz_matrix.py)."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

POST_ONLY = {
    "orglife-meeting-open", "orglife-meeting-close", "orglife-leave-decide",
    "orglife-exemption-end", "orglife-device-deactivate",
}


def _member(world, member):
    """The organization's member, or (for organizations without members, e.g. a county) a
    member of b1: the row's scope is its ``org_path``, which the makers set to ``org``."""
    return member if member is not None else world.m_member


def make_meeting(world, org, member=None, **over):
    from dangjian.orglife.models import Meeting, MeetingType

    start = timezone.now() + dt.timedelta(days=1)
    fields = dict(org=org, org_path=org.path, type=MeetingType.objects.get(code="theme_day", owner_path=""), title="主题党日",
                  starts_at=start, ends_at=start + dt.timedelta(hours=2), place="党群服务中心")
    fields.update(over)
    return Meeting.objects.create(**fields)


def make_type(world, org, member=None):
    from dangjian.orglife.models import MeetingType

    return MeetingType.objects.create(owner=org, owner_path=org.path, code=f"custom-m{MeetingType.objects.count()}", name="矩阵类型")


def make_attendance(world, org, member=None):
    from dangjian.orglife.models import Attendance

    m = _member(world, member)
    meeting = make_meeting(world, org)
    return Attendance.objects.create(meeting=meeting, member=m, org_path=org.path)


def make_exemption(world, org, member=None):
    from dangjian.orglife.models import Exemption

    m = _member(world, member)
    return Exemption.objects.create(member=m, org_path=org.path, basis="old", starts_on=timezone.localdate())


def make_device(world, org, member=None):
    from dangjian.orglife.models import SigninDevice

    n = SigninDevice.objects.count()
    return SigninDevice.objects.create(org=org, org_path=org.path, name="终端", key_prefix=f"mx{n:06d}", key_hash="0" * 64)


TARGETS = {
    "Meeting": make_meeting,
    "MeetingType": make_type,
    "Attendance": make_attendance,
    "Exemption": make_exemption,
    "SigninDevice": make_device,
}


def make_talk(world, org, member=None):
    from dangjian.orglife.models import HeartTalk

    m = _member(world, member)
    return HeartTalk.objects.create(org=org, org_path=org.path, held_on=timezone.localdate(), first=m, second=m, subject="矩阵")


TARGETS["HeartTalk"] = make_talk
