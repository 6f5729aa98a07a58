from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return time_machine.travel(dt.datetime(y, m, d, h, 0, tzinfo=TZ), tick=False)


def why(exc) -> list[tuple[str | None, str]]:
    """A refusal as ``[(field, code)]`` (:mod:`dangjian.core.errors`): tests read the code, not the text."""
    from dangjian.core.errors import describe

    return [(d["field"], d["code"]) for d in describe(exc)]


def form_codes(response) -> list[str]:
    """The codes on a re-shown form page (``form.errors.as_data()``, every field)."""
    return [e.code for errs in response.context["form"].errors.as_data().values() for e in errs]


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
