"""Org life's indicators (issue 9 item 6): meetings held and the attendance rate of a subtree,
through the registry, from meetings built with the org-life services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.core import indicators
from dangjian.orglife import selectors, services
from dangjian.orglife.models import Attendance, Meeting, MeetingStatus

from .conftest import NOW, TZ, mtype, staff

NOV = dict(start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 1))
DEC = dict(start=dt.date(2026, 12, 1), end=dt.date(2027, 1, 1))


def hold(world, clock, org, marks, *, host, recorder, starts_at=None, leave=(), record=True):
    """A 主题党日 of ``org`` planned, opened, marked (member → present / late / absent; the rest
    stays invited and becomes absent), closed and — unless ``record`` is False — recorded (the
    minutes' sign-off sets RECORDED: minutes is not under test here)."""
    actor = staff(world, org)
    starts_at = starts_at or NOW + dt.timedelta(minutes=30)
    clock.move_to(starts_at - dt.timedelta(hours=2))
    t = mtype("theme_day")
    m = services.plan_meeting(actor=actor, org=org, meeting_type=t, title="主题党日", starts_at=starts_at,
                              ends_at=starts_at + dt.timedelta(hours=1), place="党员活动室", host=host, recorder=recorder,
                              agenda="学习", invitees=list(selectors.default_invitees(org, t)))
    for member in leave:
        a = Attendance.objects.get(meeting=m, member=member)
        req = services.request_leave(actor=member.user or actor, attendance=a, reason="外出务工")
        services.decide_leave(actor=actor, leave=req, approve=True)
    clock.move_to(starts_at)
    services.open_signin(actor=actor, meeting=m)
    for member, status in marks.items():
        services.roll_call(actor=actor, meeting=m, attendance=Attendance.objects.get(meeting=m, member=member), status=status)
    services.close_meeting(actor=actor, meeting=m)
    if record:
        Meeting.objects.filter(pk=m.pk).update(status=MeetingStatus.RECORDED)
    clock.move_to(NOW)
    return m


@pytest.fixture
def situation(world, clock):
    """b1: one recorded meeting — 5 invited, 孙组员 exempt (art. 23), 赵党员 on leave, 李书记 present,
    王委员 late, 钱预备 absent → 实到 2 / 应到 4 — plus one closed but not recorded (not held) and one
    recorded at 2026-12-01 00:30 Beijing time (December, though still 30 November in UTC);
    b2: 2 of 3 present; b3: 3 of 3 present."""
    w = world
    services.create_exemption(actor=w.users["secretary"], member=w.m_group, basis="ill", note="", starts_on=dt.date(2026, 1, 1),
                              ends_on=None)
    hold(w, clock, w.b1, {w.m_secretary: "present", w.m_committee: "late", w.m_probationary: "absent"},
         host=w.m_secretary, recorder=w.m_committee, leave=[w.m_member])
    hold(w, clock, w.b1, {w.m_secretary: "present"}, host=w.m_secretary, recorder=w.m_committee,
         starts_at=NOW + dt.timedelta(days=1), record=False)
    hold(w, clock, w.b1, {w.m_secretary: "present"}, host=w.m_secretary, recorder=w.m_committee,
         starts_at=dt.datetime(2026, 12, 1, 0, 30, tzinfo=TZ))
    hold(w, clock, w.b2, {w.m_b2[0]: "present", w.m_b2[1]: "present"}, host=w.m_b2[0], recorder=w.m_b2[1])
    hold(w, clock, w.b3, {m: "present" for m in w.m_b3}, host=w.m_b3[0], recorder=w.m_b3[1])
    return w


def value(key, org, period):
    return indicators.compute(key, org=org, **period)


def test_both_are_registered_with_their_rule():
    held, rate = indicators.indicator("orglife.meetings_held"), indicators.indicator("orglife.attendance_rate")
    assert held.unit == "count" and rate.unit == "percent"
    assert "§1.1" in held.rule_ref and "art. 23" in rate.rule_ref
    assert {held, rate} <= set(indicators.assessable())


def test_meetings_held_by_subtree(situation):
    w = situation
    assert value("orglife.meetings_held", w.b1, NOV) == 1  # the closed one has no signed minutes
    assert value("orglife.meetings_held", w.b1, DEC) == 1  # 00:30 Beijing time on 1 December
    assert value("orglife.meetings_held", w.t1, NOV) == 2
    assert value("orglife.meetings_held", w.b3, NOV) == 1 and value("orglife.meetings_held", w.t2, NOV) == 1
    assert value("orglife.meetings_held", w.county, NOV) == 3
    assert value("orglife.meetings_held", w.county2, NOV) == 0


def test_attendance_rate_by_subtree(situation):
    w = situation
    assert value("orglife.attendance_rate", w.b1, NOV) == Decimal("50.0")  # 2 / (5 − 1 exempt)
    assert value("orglife.attendance_rate", w.b2, NOV) == Decimal("66.7")
    assert value("orglife.attendance_rate", w.t1, NOV) == Decimal("57.1")  # 4 / 7, pooled
    assert value("orglife.attendance_rate", w.b3, NOV) == Decimal("100.0")
    assert value("orglife.attendance_rate", w.t2, NOV) == Decimal("100.0")  # b1's absences are not b3's
    assert value("orglife.attendance_rate", w.county2, NOV) is None  # nobody was expected


def test_the_pooled_rate_agrees_with_the_meetings_own_summary(situation):
    w = situation
    m = Meeting.objects.get(org=w.b1, status=MeetingStatus.RECORDED, starts_at__lt=dt.datetime(2026, 12, 1, tzinfo=TZ))
    s = selectors.attendance_summary(m)
    assert (s["present"], s["should"], s["rate"]) == (2, 4, 50.0)


@pytest.mark.parametrize("key", ["orglife.meetings_held", "orglife.attendance_rate"])
def test_one_query_for_one_organization_and_for_a_county(situation, django_assert_num_queries, key):
    w = situation
    for org in (w.b1, w.county):  # one branch; three branches with meetings
        with django_assert_num_queries(1):
            value(key, org, NOV)
