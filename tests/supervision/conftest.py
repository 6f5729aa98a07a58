"""Helpers of the supervision tests: meetings and attendance written directly (the org-life and
minutes pages are tested in their own apps; here only what supervision reads matters)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def ensure_builtin_types():
    """The built-in meeting types come from orglife's data migration; a transactional (browser)
    test's flush earlier in the session removes them, so put them back the way the migration does."""
    from dangjian.orglife.builtin_types import BUILTIN_TYPES
    from dangjian.orglife.models import MeetingType

    if MeetingType.objects.filter(owner_path="").count() >= len(BUILTIN_TYPES):
        return
    for order, (code, name, name_en, audience, frequency, required, due_quarter, voting, rule) in enumerate(BUILTIN_TYPES):
        MeetingType.objects.update_or_create(
            owner_path="", code=code,
            defaults=dict(name=name, name_en=name_en, audience=audience, frequency=frequency, required=required,
                          due_quarter=due_quarter, voting=voting, rule_ref=rule, order=(order + 1) * 10),
        )


@pytest.fixture(autouse=True)
def _builtin_types(request):
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        ensure_builtin_types()


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
