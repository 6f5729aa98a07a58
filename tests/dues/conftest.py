from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return time_machine.travel(dt.datetime(y, m, d, h, 0, tzinfo=TZ), tick=False)


@pytest.fixture
def frozen():
    """Time frozen on 2026-10-15 10:00 Beijing time."""
    with at(2026, 10, 15):
        yield dt.date(2026, 10, 15)


@pytest.fixture
def profiled(world):
    """Dues profiles for the b1 members (salaried 5400 → 81.00 a month, from 2026-01)."""
    from dangjian.dues import services

    out = {}
    for key in ("m_secretary", "m_committee", "m_member", "m_probationary", "m_group"):
        m = getattr(world, key)
        out[key] = services.set_profile(actor=None, member=m, category="salaried", base=Decimal("5400"),
                                        effective_month=dt.date(2026, 1, 1), today=dt.date(2026, 1, 5))
    return out
