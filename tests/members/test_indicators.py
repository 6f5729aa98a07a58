"""Members' indicator (issue 9 item 6): the subtree's head-count on the last day of a period —
live from the rollups for a running period, from the roll's history for a past one."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dangjian.core import indicators
from dangjian.members import services

TZ = ZoneInfo("Asia/Shanghai")
M = dt.date
JAN = dict(start=M(2027, 1, 1), end=M(2027, 2, 1))
FEB = dict(start=M(2027, 2, 1), end=M(2027, 3, 1))


def at(y, m, d):
    return time_machine.travel(dt.datetime(y, m, d, 10, 0, tzinfo=TZ), tick=False)


def total(org, period):
    return indicators.compute("members.total", org=org, **period)


@pytest.fixture
def situation(world):
    """赵党员 moves from b1 to b2 on 15 January 2027; 南村党员0 (b3) leaves the platform on 5 February.
    Seen on 10 February 2027."""
    w = world
    with at(2027, 1, 15):
        services.move_member(actor=w.users["town_admin"], member=w.m_member, to_org=w.b2, reason="迁居", allow_below_minimum=True)
    with at(2027, 2, 5):
        services.close_record(actor=w.users["town2_admin"], member=w.m_b3[0], reason="去世")
    with at(2027, 2, 10):
        yield w


def test_registered_not_for_assessment():
    i = indicators.indicator("members.total")
    assert i.unit == "count" and not i.assessable and i not in indicators.assessable()


def test_a_running_period_reads_the_rollups(situation):
    w = situation
    assert total(w.b1, FEB) == 4  # 李书记, 王委员, 钱预备 and 孙组员 of the Party group
    assert total(w.b2, FEB) == 4 and total(w.t1, FEB) == 8
    assert total(w.b3, FEB) == 2 and total(w.t2, FEB) == 2  # the one who left is gone; b1's are not here
    assert total(w.county, FEB) == 10 and total(w.county2, FEB) == 3


def test_a_past_period_reads_the_history_on_its_last_day(situation):
    w = situation
    assert total(w.b1, JAN) == 4 and total(w.b2, JAN) == 4 and total(w.t1, JAN) == 8  # moved on 15 January
    assert total(w.b3, JAN) == 3 and total(w.t2, JAN) == 3  # still there on 31 January
    assert total(w.b1, dict(start=M(2027, 1, 1), end=M(2027, 1, 15))) == 5  # 14 January: before the move
    assert total(w.b1, dict(start=M(2027, 1, 1), end=M(2027, 1, 16))) == 4  # 15 January: in b2 from that day


@pytest.mark.parametrize("period", [JAN, FEB], ids=["history", "rollups"])
def test_one_query_for_a_branch_and_for_a_county(situation, django_assert_num_queries, period):
    w = situation
    for org in (w.b1, w.county):
        with django_assert_num_queries(1):
            total(org, period)
