"""Supervision's monitor (issue 9 item 6): required meetings overdue in the period that ended
last, by the completion engine, through the registry."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from dangjian.core import indicators
from tests.supervision.conftest import at, meeting

M = dt.date
TODAY = M(2026, 11, 20)  # last month October, last quarter Q3 2026, last year 2025

ALL = {"theme_day": at(2026, 10, 9), "general_meeting": at(2026, 8, 1), "party_lecture": at(2026, 9, 1),
       "life_meeting": at(2025, 12, 1), "appraisal": at(2025, 12, 2)}


def hold(org, *skip, **extra):
    for code, when in {**ALL, **extra}.items():
        if code not in skip:
            meeting(org, code, when)


@pytest.fixture
def situation(world):
    """b1 held everything but the Q3 党课 and its Party group G1's October meeting; b2 everything but
    October's 主题党日; b3 everything but the 2025 民主评议; b4 (the other county) nothing."""
    w = world
    hold(w.b1, "party_lecture")
    hold(w.b2, "theme_day")
    hold(w.b3, "appraisal")
    return w


def found(org, today=TODAY):
    with translation.override("en"):
        return indicators.findings("supervision.overdue_meetings", org=org, today=today)


def test_registered_with_the_rule():
    mon = indicators.monitor("supervision.overdue_meetings")
    assert "§1.1" in mon.rule_ref and mon.severity == "warning"


def test_overdue_by_subtree_oldest_first(situation):
    w = situation
    b1 = found(w.b1)
    assert [(f.subject, f.due) for f in b1] == [("东村党支部", M(2026, 9, 30)), ("东村党支部", M(2026, 10, 31))]
    assert b1[0].detail == "Party lecture not held in Q3 2026 (at least 1 required)."
    assert b1[1].detail.startswith("Party group meeting not held in 2026-10") and "东村第一党小组" in b1[1].detail
    assert b1[0].url == reverse("supervision-calendar", args=[w.b1.pk]) + "?year=2026"
    assert {f.org_path for f in b1} == {w.b1.path}
    t1 = found(w.t1)
    assert [(f.subject, f.due) for f in t1] == [("东村党支部", M(2026, 9, 30)), ("东村党支部", M(2026, 10, 31)),
                                                ("西村党支部", M(2026, 10, 31))]
    b3 = found(w.b3)
    assert [(f.subject, f.due) for f in b3] == [("南村党支部", M(2025, 12, 31))]  # none of b1's
    assert b3[0].url.endswith("?year=2025") and found(w.t2) == b3
    assert [f.subject for f in found(w.county)] == ["南村党支部", "东村党支部", "东村党支部", "西村党支部"]
    assert len(found(w.county2)) == 5  # b4: October, Q3 (×2) and 2025 (×2)


def test_the_running_period_is_not_overdue(situation):
    w = situation
    # in November nothing of November is listed, though nothing was held in November
    assert all(f.due < M(2026, 11, 1) for f in found(w.county))
    # on 1 December, November is the last month: every branch's November 主题党日 is overdue
    december = found(w.county, M(2026, 12, 1))
    assert {f.subject for f in december if f.due == M(2026, 11, 30) and "Theme Party Day" in f.detail} == {
        "东村党支部", "西村党支部", "南村党支部"}


@pytest.mark.parametrize("org", ["b1", "county"])
@pytest.mark.parametrize(("today", "queries"), [(TODAY, 8), (M(2027, 1, 5), 4)], ids=["november", "january"])
def test_constant_queries(situation, django_assert_num_queries, org, today, queries):
    with django_assert_num_queries(queries):
        found(getattr(situation, org), today)
