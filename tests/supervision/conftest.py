"""Helpers of the supervision tests: meetings and attendance written directly (the org-life and
minutes pages are tested in their own apps; here only what supervision reads matters)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    """A Beijing-time instant."""
    return dt.datetime(*args, tzinfo=SH)


def mtype(code):
    from dangjian.orglife.models import MeetingType

    return MeetingType.objects.get(owner_path="", code=code)


def meeting(org, code, when, status="recorded", attendance=None, title=None):
    """A meeting of ``org`` of built-in type ``code`` starting at ``when``; ``attendance`` maps
    members to attendance statuses."""
    from dangjian.orglife.models import Attendance, Meeting

    m = Meeting.objects.create(org=org, org_path=org.path, type=mtype(code), title=title or f"{code} {when:%Y-%m-%d}",
                               starts_at=when, ends_at=when + dt.timedelta(hours=1), place="村委会", status=status)
    for member, st in (attendance or {}).items():
        Attendance.objects.create(meeting=m, member=member, org_path=org.path, status=st)
    return m


def add_member(org, name, **over):
    from dangjian.members import services as member_services
    from tests.factories import member_data

    return member_services.create_member(actor=None, org=org, data=member_data(name=name, **over))


@pytest.fixture
def frozen():
    """``frozen(2026, 10, 31, 23, 59, 59)`` freezes time at that Beijing-time instant."""
    import time_machine

    travellers = []

    def freeze(*args):
        t = time_machine.travel(at(*args), tick=False)
        t.start()
        travellers.append(t)
        return at(*args)

    yield freeze
    for t in reversed(travellers):
        t.stop()
