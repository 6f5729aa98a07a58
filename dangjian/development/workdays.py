"""The working-day calendar of publicity windows (DOMAIN §4.2 "Publicity ≥5 working days", §11 [cfg]).

A day is a working day when the national calendar says so — weekdays minus the State
Council's public holidays plus the adjusted working weekends (调休), from the ``chinese_calendar``
package (``chinesecalendar`` on PyPI) — unless a ``LocalHoliday`` row of an organization above the
case says otherwise (a county's own holiday, a local make-up day). The nearest organization's
row wins. Years the package does not cover fall back to "Monday–Friday" (provisional, as DOMAIN
§11 allows: "weekdays only = provisional").
"""
from __future__ import annotations

import datetime as dt

import chinese_calendar

ONE = dt.timedelta(days=1)


def _local_days(org_path: str | None, start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    if not org_path:
        return {}
    from .models import LocalHoliday

    prefixes = [org_path[:i] for i in range(1, len(org_path) + 1)]
    rows = LocalHoliday.objects.filter(org_path__in=prefixes, date__gte=start, date__lte=end).order_by("org_path")
    out: dict[dt.date, bool] = {}
    for r in rows:  # ordered by path: deeper (nearer) organizations come last and win
        out[r.date] = r.is_working_day
    return out


def national_is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # year not covered by the package: weekdays only (provisional)
        return day.weekday() < 5


def national_covered(year: int) -> bool:
    """Does the bundled national calendar know this year's holidays and make-up days?"""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: dt.date, org_path: str | None = None) -> bool:
    local = _local_days(org_path, day, day)
    return local[day] if day in local else national_is_working_day(day)


class Calendar:
    """One organization's calendar over a date range (loads the local rows once)."""

    def __init__(self, org_path: str | None, start: dt.date, end: dt.date):
        self.local = _local_days(org_path, start, end)

    def working(self, day: dt.date) -> bool:
        return self.local[day] if day in self.local else national_is_working_day(day)


def nth_working_day(start: dt.date, n: int, org_path: str | None = None) -> dt.date:
    """The ``n``-th working day counting ``start`` itself as the first if it is a working day
    (a publicity posted on ``start`` for ``n`` working days runs until the returned day)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    cal = Calendar(org_path, start, start + dt.timedelta(days=n * 3 + 40))
    day, count = start, 0
    while True:
        if cal.working(day):
            count += 1
            if count == n:
                return day
        day += ONE


def add_working_days(start: dt.date, n: int, org_path: str | None = None) -> dt.date:
    """The day ``n`` working days after ``start`` (``start`` itself not counted; n ≥ 0). With n = 0,
    ``start`` if it is a working day, else the next working day."""
    cal = Calendar(org_path, start, start + dt.timedelta(days=n * 3 + 40))
    day = start
    if n == 0:
        while not cal.working(day):
            day += ONE
        return day
    count = 0
    while count < n:
        day += ONE
        if cal.working(day):
            count += 1
    return day


def working_days_between(start: dt.date, end: dt.date, org_path: str | None = None) -> int:
    """Working days in the half-open range (start, end] — after ``start``, up to and including
    ``end``; negative when ``end`` is before ``start``."""
    if end < start:
        return -working_days_between(end, start, org_path)
    cal = Calendar(org_path, start, end)
    n, day = 0, start + ONE
    while day <= end:
        n += cal.working(day)
        day += ONE
    return n


def publicity_window(starts_on: dt.date, days: int, org_path: str | None = None) -> tuple[dt.date, dt.date]:
    """(first, last) day of a publicity of ``days`` working days posted on ``starts_on``; a decision
    may be dated on the day after ``last`` at the earliest."""
    first = add_working_days(starts_on, 0, org_path)
    return first, nth_working_day(first, days, org_path)
