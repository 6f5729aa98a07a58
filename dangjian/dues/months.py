"""Month arithmetic: a month is the ``date`` of its first day."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(m: dt.date, n: int) -> dt.date:
    y, mo = divmod(m.year * 12 + (m.month - 1) + n, 12)
    return dt.date(y, mo + 1, 1)


def current_month() -> dt.date:
    return month_start(timezone.localdate())


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole months from month a to month b (b - a)."""
    return (b.year - a.year) * 12 + (b.month - a.month)


def parse_month(value: str | None, default: dt.date | None = None) -> dt.date | None:
    """``"2026-10"`` → 2026-10-01; anything unreadable → ``default``."""
    if not value:
        return default
    try:
        y, m = str(value)[:7].split("-")
        return dt.date(int(y), int(m), 1)
    except (ValueError, TypeError):
        return default


def label(m: dt.date) -> str:
    return f"{m.year}-{m.month:02d}"
