"""Dues months: a month is the ``date`` of its first day. The arithmetic
(``month_start_offset``, ``months_between``) is :mod:`dangjian.core.dates`, re-exported here."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.core.dates import month_start_offset, months_between

__all__ = ["current_month", "label", "month_start", "month_start_offset", "months_between", "parse_month"]


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def current_month() -> dt.date:
    return month_start(timezone.localdate())


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
