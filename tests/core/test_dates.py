"""dangjian.core.dates: the two meanings of "n months later", and that they are exactly the five
copies of ``add_months`` they replaced (development, elections, transfers: same day, clamped;
dues, supervision: the first of the month)."""
from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core.dates import month_start_offset, months_between, same_day_months_later

D = dt.date
days = st.dates(min_value=D(1901, 1, 1), max_value=D(2099, 12, 31))
shifts = st.integers(min_value=-600, max_value=600)


# the replaced copies, verbatim, as oracles
def _development_add_months(day, months):
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _elections_transfers_add_months(d, months):
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    return d.replace(year=y, month=m, day=min(d.day, calendar.monthrange(y, m)[1]))


def _supervision_add_months(d, n):
    m = d.month - 1 + n
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def _dues_add_months(m, n):
    y, mo = divmod(m.year * 12 + (m.month - 1) + n, 12)
    return dt.date(y, mo + 1, 1)


@pytest.mark.parametrize("day,n,expected", [
    (D(2025, 1, 31), 1, D(2025, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2025, 3, 31), -1, D(2025, 2, 28)),
    (D(2024, 9, 20), 12, D(2025, 9, 20)),  # probation of the canonical development timeline
    (D(2025, 12, 15), 1, D(2026, 1, 15)),
    (D(2026, 1, 15), -13, D(2024, 12, 15)),
    (D(2025, 5, 31), 0, D(2025, 5, 31)),
])
def test_same_day_months_later(day, n, expected):
    assert same_day_months_later(day, n) == expected


@pytest.mark.parametrize("day,n,expected", [
    (D(2025, 1, 31), 1, D(2025, 2, 1)),
    (D(2025, 1, 15), -1, D(2024, 12, 1)),
    (D(2025, 12, 1), 1, D(2026, 1, 1)),
    (D(2025, 5, 31), 0, D(2025, 5, 1)),
    (D(2026, 1, 1), -25, D(2023, 12, 1)),
])
def test_month_start_offset(day, n, expected):
    assert month_start_offset(day, n) == expected


def test_datetimes():
    t = dt.datetime(2025, 1, 31, 9, 30, tzinfo=dt.UTC)
    assert same_day_months_later(t, 1) == dt.datetime(2025, 2, 28, 9, 30, tzinfo=dt.UTC)
    assert month_start_offset(t, 1) == D(2025, 2, 1) and type(month_start_offset(t, 1)) is dt.date
    assert months_between(D(2025, 1, 31), D(2025, 2, 1)) == 1 and months_between(D(2025, 3, 1), D(2024, 3, 31)) == -12


@given(days, shifts)
def test_same_day_is_exactly_the_copies_it_replaced(d, n):
    assert same_day_months_later(d, n) == _development_add_months(d, n) == _elections_transfers_add_months(d, n)


@given(days, shifts)
def test_month_start_is_exactly_the_copies_it_replaced(d, n):
    assert month_start_offset(d, n) == _supervision_add_months(d, n) == _dues_add_months(d, n)


@given(days, shifts)
def test_same_day_properties(d, n):
    r = same_day_months_later(d, n)
    assert months_between(d, r) == n
    last = calendar.monthrange(r.year, r.month)[1]
    assert r.day == min(d.day, last)
    if d.day <= 28:  # no clamping: the shift is undone exactly
        assert same_day_months_later(r, -n) == d


@given(days, shifts, shifts)
def test_month_start_properties(d, a, b):
    r = month_start_offset(d, a)
    assert r.day == 1 and months_between(d, r) == a
    assert month_start_offset(r, b) == month_start_offset(d, a + b)
    assert same_day_months_later(d.replace(day=1), a) == r  # on a first of the month both meanings agree
