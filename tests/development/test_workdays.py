"""The working-day calendar: national holidays, adjusted working weekends, local exceptions."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.development import services
from dangjian.development.workdays import add_working_days, is_working_day, nth_working_day, publicity_window, working_days_between

D = dt.date


@pytest.mark.parametrize("day,working", [
    (D(2026, 10, 1), False),   # 国庆
    (D(2026, 10, 7), False),
    (D(2026, 10, 10), True),   # adjusted working Saturday after 国庆 2026
    (D(2026, 9, 26), False),   # an ordinary Saturday
    (D(2026, 2, 17), False),   # 春节 2026
    (D(2026, 2, 14), True),    # adjusted working Saturday before 春节 2026
    (D(2026, 11, 25), True),   # an ordinary Wednesday
])
def test_national_calendar(day, working):
    assert is_working_day(day) is working


def test_add_working_days_across_national_day_2026():
    # Wed 30 Sep 2026 + 1 working day: 1–7 Oct are holidays → Thu 8 Oct; + 3 → Sat 10 Oct (adjusted)
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4
    assert working_days_between(D(2026, 10, 12), D(2026, 9, 30)) == -4


def test_add_working_days_across_spring_festival_2026():
    # 春节 2026: 15–23 Feb off, Sat 14 Feb and Sat 28 Feb working
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6  # 14, 24, 25, 26, 27, 28


def test_zero_days_and_nth():
    assert add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 8)
    assert nth_working_day(D(2026, 11, 23), 5) == D(2026, 11, 27)
    assert publicity_window(D(2026, 11, 21), 5) == (D(2026, 11, 23), D(2026, 11, 27))  # posted on a Saturday


def test_local_table_overrides_for_the_subtree_only(world):
    services.set_local_day(actor=world.users["town_admin"], org=world.t1, date=D(2026, 11, 25), is_working_day=False, note="镇庆")
    assert is_working_day(D(2026, 11, 25), world.b1.path) is False
    assert is_working_day(D(2026, 11, 25), world.b3.path) is True  # another town
    assert is_working_day(D(2026, 11, 25)) is True
    # the nearest organization wins: the branch's make-up day over the town's holiday
    services.set_local_day(actor=world.users["town_admin"], org=world.b1, date=D(2026, 11, 25), is_working_day=True, note="补班")
    assert is_working_day(D(2026, 11, 25), world.b1.path) is True
    assert is_working_day(D(2026, 11, 25), world.b2.path) is False


def test_calendar_is_for_org_admins(world):
    from dangjian.core import policy

    with pytest.raises(policy.NotPermitted) as exc:  # a secretary holds no development.calendar
        services.set_local_day(actor=world.users["secretary"], org=world.b1, date=D(2026, 11, 25), is_working_day=False)
    assert exc.value.code == "not_permitted"
    with pytest.raises(policy.NotPermitted) as exc:  # another town's calendar
        services.set_local_day(actor=world.users["town_admin"], org=world.t2, date=D(2026, 11, 25), is_working_day=False)
    assert exc.value.code == "not_permitted"
