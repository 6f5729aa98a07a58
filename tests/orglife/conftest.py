"""Helpers for org-life tests: a frozen clock and a planned meeting in branch b1."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=TZ)  # a Friday morning


@pytest.fixture
def clock():
    """Time frozen at NOW; ``clock.move_to(dt)`` moves it."""
    with time_machine.travel(NOW, tick=False) as t:
        yield t


def mtype(code):
    from dangjian.orglife.models import MeetingType

    return MeetingType.objects.get(owner_path="", code=code)


def staff(world, org):
    """A user who plans and manages the meetings of ``org`` (POLICY "meeting" plan/manage): the
    branch secretary of b1 (and its Party group), secretary2 of b2, the town admin above b3."""
    by_org = {world.b1.pk: "secretary", world.g1.pk: "secretary", world.b2.pk: "secretary2",
              world.b3.pk: "town2_admin", world.t1.pk: "town_admin", world.t2.pk: "town2_admin"}
    return world.users[by_org.get(org.pk, "city_admin")]


@pytest.fixture
def plan(world, clock):
    """``plan(**over)`` plans a 主题党日 of b1 tomorrow 09:00–11:00 for all b1 members."""
    from dangjian.orglife import selectors, services

    def _plan(**over):
        org = over.pop("org", world.b1)
        t = over.pop("meeting_type", None) or mtype(over.pop("code", "theme_day"))
        start = over.pop("starts_at", NOW + dt.timedelta(days=1))
        kw = dict(actor=staff(world, org), org=org, meeting_type=t, title=over.pop("title", "11月主题党日"),
                  starts_at=start, ends_at=over.pop("ends_at", start + dt.timedelta(hours=2)), place="村党群服务中心",
                  host=over.pop("host", world.m_secretary), recorder=over.pop("recorder", world.m_committee), agenda="学习",
                  invitees=over.pop("invitees", None))
        if kw["invitees"] is None:
            kw["invitees"] = list(selectors.default_invitees(org, t))
        kw.update(over)
        return services.plan_meeting(**kw)

    return _plan


@pytest.fixture
def open_meeting(world, plan, clock):
    """A meeting of b1 starting at NOW + 30 min, sign-in open."""
    from dangjian.orglife import services

    m = plan(starts_at=NOW + dt.timedelta(minutes=30))
    return services.open_signin(actor=world.users["secretary"], meeting=m)
