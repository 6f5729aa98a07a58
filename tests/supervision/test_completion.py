"""Completion status at period boundaries (DOMAIN §1.1, §11): every colour transition, with time frozen."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.supervision import completion as C
from tests.supervision.conftest import add_member, at, meeting, mtype

pytestmark = pytest.mark.django_db


def cell(org, code, key, now, year=None):
    from dangjian.supervision.selectors import calendar

    p = C.parse_period(key)
    rows = calendar(org, year or p.year, now)
    row = next(r for r in rows if r.type.code == code)
    return next(c for c in row.cells if c.period.key == key)


# -- the pure rule --------------------------------------------------------------------------

def test_month_due_until_the_last_second_then_overdue():
    oct_ = C.Period("month", 2026, 10)
    assert C.status_of(held=0, minimum=1, period=oct_, now=at(2026, 10, 31, 23, 59, 59)) == C.DUE
    assert C.status_of(held=0, minimum=1, period=oct_, now=at(2026, 11, 1, 0, 0, 0)) == C.OVERDUE
    assert C.status_of(held=1, minimum=1, period=oct_, now=at(2026, 11, 1)) == C.DONE
    assert C.status_of(held=0, minimum=1, period=oct_, now=at(2026, 9, 30, 23, 59, 59)) == C.NOT_YET
    assert C.status_of(held=0, minimum=1, period=oct_, now=at(2026, 10, 1)) == C.DUE


def test_min_per_period_above_one():
    q = C.Period("quarter", 2026, 4)
    assert C.status_of(held=1, minimum=2, period=q, now=at(2026, 11, 1)) == C.DUE
    assert C.status_of(held=2, minimum=2, period=q, now=at(2026, 11, 1)) == C.DONE


def test_due_quarter_opens_with_the_quarter():
    y = C.Period("year", 2026, 1)
    assert C.status_of(held=0, minimum=1, period=y, now=at(2026, 9, 30, 23, 59, 59), due_quarter=4) == C.NOT_YET
    assert C.status_of(held=0, minimum=1, period=y, now=at(2026, 10, 1), due_quarter=4) == C.DUE
    assert C.status_of(held=0, minimum=1, period=y, now=at(2026, 12, 31, 23, 59, 59), due_quarter=4) == C.DUE
    assert C.status_of(held=0, minimum=1, period=y, now=at(2027, 1, 1), due_quarter=4) == C.OVERDUE
    # no due quarter: the whole year is open
    assert C.status_of(held=0, minimum=1, period=y, now=at(2026, 1, 1), due_quarter=0) == C.DUE


def test_periods_use_beijing_boundaries():
    p = C.Period("month", 2026, 12)
    assert p.start == at(2026, 12, 1) and p.end == at(2027, 1, 1)
    assert C.Period("quarter", 2026, 4).end == at(2027, 1, 1)
    assert C.period_containing("month", dt.datetime(2026, 10, 31, 15, 30, tzinfo=dt.UTC)).key == "2026-10"
    assert C.period_containing("month", dt.datetime(2026, 10, 31, 16, 0, tzinfo=dt.UTC)).key == "2026-11"
    assert C.parse_period("2026-Q4") == C.Period("quarter", 2026, 4)
    assert C.parse_period("2026-13") is None and C.parse_period("x") is None


# -- the engine on the standard world -------------------------------------------------------

def test_month_type_at_the_boundary(world):
    b1 = world.b1
    assert cell(b1, "theme_day", "2026-10", at(2026, 10, 31, 23, 59, 59)).status == C.DUE
    assert cell(b1, "theme_day", "2026-10", at(2026, 11, 1, 0, 0, 0)).status == C.OVERDUE


def test_held_on_the_last_evening_counts_for_that_month(world):
    """2026-10-31 23:30 Beijing time is 15:30 UTC: it counts for October, not November."""
    m = meeting(world.b1, "theme_day", at(2026, 10, 31, 23, 30))
    c = cell(world.b1, "theme_day", "2026-10", at(2026, 11, 1))
    assert c.status == C.DONE and c.held == 1 and [x.pk for x in c.meetings] == [m.pk]
    assert cell(world.b1, "theme_day", "2026-11", at(2026, 11, 1)).status == C.DUE
    # and one just after midnight counts for November
    meeting(world.b1, "theme_day", at(2026, 11, 1, 0, 10))
    assert cell(world.b1, "theme_day", "2026-11", at(2026, 11, 1, 1)).status == C.DONE


def test_only_signed_off_meetings_count(world):
    meeting(world.b1, "theme_day", at(2026, 10, 10), status="closed")
    meeting(world.b1, "theme_day", at(2026, 10, 11), status="planned")
    assert cell(world.b1, "theme_day", "2026-10", at(2026, 10, 20)).status == C.DUE


def test_quarter_type_boundaries(world):
    assert cell(world.b1, "general_meeting", "2026-Q4", at(2026, 12, 31, 23, 59, 59)).status == C.DUE
    assert cell(world.b1, "general_meeting", "2026-Q4", at(2027, 1, 1)).status == C.OVERDUE
    assert cell(world.b1, "general_meeting", "2026-Q3", at(2026, 10, 1)).status == C.OVERDUE
    meeting(world.b1, "general_meeting", at(2026, 12, 31, 23, 0))
    assert cell(world.b1, "general_meeting", "2026-Q4", at(2027, 1, 1)).status == C.DONE
    assert cell(world.b1, "general_meeting", "2026-Q4", at(2026, 9, 1)).status == C.DONE  # shown even "early"


def test_quarter_cell_spans_three_months(world):
    c = cell(world.b1, "party_lecture", "2026-Q2", at(2026, 5, 1))
    assert c.period.span == 3 and c.status == C.DUE


def test_life_meeting_is_due_in_q4_only(world):
    assert cell(world.b1, "life_meeting", "2026", at(2026, 9, 30, 23, 59, 59)).status == C.NOT_YET
    assert cell(world.b1, "life_meeting", "2026", at(2026, 10, 1)).status == C.DUE
    assert cell(world.b1, "life_meeting", "2026", at(2027, 1, 1)).status == C.OVERDUE
    meeting(world.b1, "life_meeting", at(2026, 6, 1))  # held early: the year is done
    assert cell(world.b1, "life_meeting", "2026", at(2026, 7, 1)).status == C.DONE


def test_yearly_appraisal_without_due_quarter(world):
    assert cell(world.b1, "appraisal", "2026", at(2026, 3, 1)).status == C.DUE
    assert cell(world.b1, "appraisal", "2026", at(2027, 1, 1)).status == C.OVERDUE


def test_future_periods_are_not_yet(world):
    now = at(2026, 10, 15)
    assert cell(world.b1, "theme_day", "2026-11", now).status == C.NOT_YET
    assert cell(world.b1, "general_meeting", "2027-Q1", now, year=2027).status == C.NOT_YET


def test_committee_meeting_not_applicable_without_a_committee(world):
    """b1: 3 full members, 2 committee positions — one secretary, no committee (DOMAIN §2)."""
    from dangjian.supervision.selectors import calendar

    rows = {r.type.code: r for r in calendar(world.b1, 2026, at(2026, 10, 15))}
    assert not rows["committee_meeting"].applicable
    assert {c.status for c in rows["committee_meeting"].cells} == {C.NA}
    assert "7" in rows["committee_meeting"].note
    add_member(world.b1, "周宣传", position="propaganda")  # 3 committee positions: a committee exists
    rows = {r.type.code: r for r in calendar(world.b1, 2026, at(2026, 10, 15))}
    assert rows["committee_meeting"].applicable
    assert next(c for c in rows["committee_meeting"].cells if c.period.key == "2026-10").status == C.DUE


def test_seven_full_members_require_a_committee_meeting(world):
    from dangjian.supervision.selectors import calendar

    for i in range(4):
        add_member(world.b2, f"西村新党员{i}")  # 3 + 4 = 7 full members, no positions
    rows = {r.type.code: r for r in calendar(world.b2, 2026, at(2026, 11, 2))}
    assert rows["committee_meeting"].applicable
    assert next(c for c in rows["committee_meeting"].cells if c.period.key == "2026-10").status == C.OVERDUE


def test_party_group_meetings(world):
    """b1 has Party group g1: its 党小组会 row follows g1; b2 has no group: N/A."""
    from dangjian.supervision.selectors import calendar

    assert cell(world.b1, "group_meeting", "2026-10", at(2026, 10, 20)).status == C.DUE
    meeting(world.g1, "group_meeting", at(2026, 10, 12))
    assert cell(world.b1, "group_meeting", "2026-10", at(2026, 10, 20)).status == C.DONE
    b2 = {r.type.code: r for r in calendar(world.b2, 2026, at(2026, 10, 20))}
    assert not b2["group_meeting"].applicable
    # the group's own calendar has only the group meeting
    g = calendar(world.g1, 2026, at(2026, 10, 20))
    assert [r.type.code for r in g if r.applicable] == ["group_meeting"]


def test_a_branch_with_two_groups_is_done_when_each_met(world):
    from dangjian.core import services as org_services

    g2 = org_services.create_organization(actor=None, parent=world.b1, name="东村第二党小组", kind="party_group")
    meeting(world.g1, "group_meeting", at(2026, 10, 12))
    c = cell(world.b1, "group_meeting", "2026-10", at(2026, 11, 1))
    assert c.status == C.OVERDUE and "第二党小组" in c.note
    meeting(g2, "group_meeting", at(2026, 10, 30))
    assert cell(world.b1, "group_meeting", "2026-10", at(2026, 11, 1)).status == C.DONE


def test_founded_later_is_not_applicable(world):
    world.b2.founded_on = dt.date(2026, 6, 15)
    world.b2.save(update_fields=["founded_on"])
    assert cell(world.b2, "theme_day", "2026-05", at(2026, 10, 1)).status == C.NA
    assert cell(world.b2, "theme_day", "2026-06", at(2026, 10, 1)).status == C.OVERDUE


def test_custom_required_type_of_a_county(world):
    from dangjian.orglife.models import MeetingType
    from dangjian.supervision.selectors import calendar

    MeetingType.objects.create(code="sunshine_monthly", name="阳光议事日", audience="all", frequency="month", required=True,
                               owner=world.county, owner_path=world.county.path, rule_ref="县委组织部规定")
    codes = {r.type.code for r in calendar(world.b1, 2026, at(2026, 10, 1))}
    assert "sunshine_monthly" in codes
    codes4 = {r.type.code for r in calendar(world.b4, 2026, at(2026, 10, 1))}  # the other county
    assert "sunshine_monthly" not in codes4


# -- aggregates -----------------------------------------------------------------------------

def test_aggregate_counts_branches_of_the_subtree(world):
    meeting(world.b1, "theme_day", at(2026, 10, 8))
    meeting(world.b3, "theme_day", at(2026, 10, 9))
    meeting(world.b4, "theme_day", at(2026, 10, 9))  # another county: never counted
    meeting(world.b2, "theme_day", at(2026, 11, 2))
    now = at(2026, 11, 10)
    st = C.load_subtree(world.county, 2026)
    agg = {r.type.code: r for r in C.aggregate(st, now)}
    oct_ = next(c for c in agg["theme_day"].cells if c.period.key == "2026-10")
    nov = next(c for c in agg["theme_day"].cells if c.period.key == "2026-11")
    dec = next(c for c in agg["theme_day"].cells if c.period.key == "2026-12")
    assert (oct_.counts[C.DONE], oct_.counts[C.DUE], oct_.counts[C.OVERDUE]) == (2, 0, 1)
    assert (nov.counts[C.DONE], nov.counts[C.DUE]) == (1, 2)
    assert dec.counts[C.NOT_YET] == 3
    # a town sees its own branches only
    st1 = C.load_subtree(world.t1, 2026)
    oct1 = next(c for c in {r.type.code: r for r in C.aggregate(st1, now)}["theme_day"].cells if c.period.key == "2026-10")
    assert (oct1.counts[C.DONE], oct1.counts[C.OVERDUE]) == (1, 1)
    # committee meetings: N/A for all three small branches
    assert "committee_meeting" not in agg  # no row for a type that applies to none of them
    # drill-down
    over = C.organizations_in_state(st, now, mtype("theme_day").id, C.Period("month", 2026, 10), C.OVERDUE)
    assert [f.org_id for f, _c in over] == [world.b2.pk]


def test_aggregate_uses_few_queries(world, django_assert_max_num_queries):
    for b in (world.b1, world.b2, world.b3):
        meeting(b, "theme_day", at(2026, 10, 8))
    with django_assert_max_num_queries(5):
        st = C.load_subtree(world.county, 2026)
        C.aggregate(st, at(2026, 11, 1))
