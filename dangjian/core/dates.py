"""Month arithmetic of the whole platform, one function per meaning.

Two different things are called "n months later" in the domain rules, and mixing them up moves a
deadline by up to a month:

* :func:`same_day_months_later` — a **deadline or duration** counted in calendar months from a
  day: a probation of 12 months from the 支部大会 (党章 art. 7), an approval within 3 months, a
  term of 5 years, the validity of a letter. The same day of the month ``n`` months on, or the
  month's last day when that month is shorter (2025-01-31 + 1 → 2025-02-28).
* :func:`month_start_offset` — a **calendar month as a period** (a dues month, a supervision
  month), represented by the date of its first day: the first day of the month ``n`` months after
  the month of ``d`` (2025-01-31 + 1 → 2025-02-01). The day of ``d`` is ignored.

:func:`months_between` counts whole calendar months between the months of two dates.

All functions accept negative ``n`` and never use floating point.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import TypeVar

D = TypeVar("D", dt.date, dt.datetime)


def _shift(year: int, month: int, n: int) -> tuple[int, int]:
    """(year, month) ``n`` months after (year, month); month is 1–12."""
    y, m = divmod(year * 12 + (month - 1) + n, 12)
    return y, m + 1


def same_day_months_later(d: D, n: int) -> D:
    """The same day of the month ``n`` calendar months after ``d`` (before it for negative ``n``),
    clamped to the last day of the target month: 2025-01-31 + 1 → 2025-02-28,
    2024-02-29 + 12 → 2025-02-28, 2025-03-31 − 1 → 2025-02-28.

    For deadlines and durations counted in months (probation, approval and reminder windows,
    terms of office, letter validity). A ``datetime`` keeps its time of day and time zone."""
    y, m = _shift(d.year, d.month, n)
    return d.replace(year=y, month=m, day=min(d.day, calendar.monthrange(y, m)[1]))


def month_start_offset(d: dt.date | dt.datetime, n: int) -> dt.date:
    """The first day of the month ``n`` months after the month of ``d``, as a ``date``:
    2025-01-31 + 1 → 2025-02-01, 2025-01-15 − 1 → 2024-12-01.

    For calendar months used as periods (dues months, supervision months), which the platform
    represents by the date of their first day."""
    y, m = _shift(d.year, d.month, n)
    return dt.date(y, m, 1)


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole calendar months from the month of ``a`` to the month of ``b`` (``b`` − ``a``; the
    days are ignored): 2025-01-31 → 2025-02-01 is 1, so that
    ``month_start_offset(a, months_between(a, b)) == month_start(b)``."""
    return (b.year - a.year) * 12 + (b.month - a.month)
