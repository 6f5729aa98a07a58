"""Member development's monitor (issue 9 item 6): probations ending or ended without a
decision, through the registry, from cases driven with the development services."""
from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.core import indicators
from dangjian.development import services
from dangjian.members.models import Member, MemberStatus

from .helpers import PUBLICITY, TIMELINE, D, applicant, step_kwargs

END = D(2025, 9, 20)  # 支部大会 2024-09-20 + 1 year (the canonical timeline)


def advance_in(world, org, admin, name, to_code):
    """A case of ``org`` through step ``to_code`` on the canonical dates, every step entered by the
    town's org admin (development manage over the subtree, approve strictly below)."""
    actor = world.users[admin]
    full = list(Member.objects.filter(org=org, status=MemberStatus.FULL).order_by("id")[:2])
    case = services.open_case(actor=actor, org=org, data=applicant(name=name), application_date=TIMELINE[1])
    for code in range(2, to_code + 1):
        kw = step_kwargs(world, code)
        if code == 5:
            kw["data"] = {"contacts": [full[0].pk]}
        elif code == 9:
            kw["data"] = {"introducers": [m.pk for m in full]}
        services.record_step(actor=actor, case=case, code=code, **kw)
        case.refresh_from_db()
        for point, (after, start) in PUBLICITY.items():
            if case.last_code == after and case.pack.on(f"publicity_{point}"):
                services.start_publicity(actor=actor, case=case, point=point, starts_on=start, offline=True)
    return case


@pytest.fixture
def situation(world):
    """Probationers of b1 (周预备, step 20), b2 (吴预备, step 17) and b3 (郑预备, step 17), all ending on
    2025-09-20; b1's 冯转正 held the conversion meeting (step 23): a decision exists."""
    w = world
    cases = {
        "b1": advance_in(w, w.b1, "town_admin", "周预备", 20),
        "b2": advance_in(w, w.b2, "town_admin", "吴预备", 17),
        "b3": advance_in(w, w.b3, "town2_admin", "郑预备", 17),
        "b1_decided": advance_in(w, w.b1, "town_admin", "冯转正", 23),
    }
    w.cases = cases
    return w


def found(org, today):
    return indicators.findings("development.probation_ending", org=org, today=today)


def test_registered_with_the_rule():
    mon = indicators.monitor("development.probation_ending")
    assert "党章 art. 7" in mon.rule_ref and mon.severity == "warning"


def test_a_month_before_the_end_by_subtree(situation):
    w = situation
    b1 = found(w.b1, D(2025, 8, 20))
    assert [(f.subject, f.org_path, f.due) for f in b1] == [("周预备", w.b1.path, END)]
    assert b1[0].url == reverse("development-case-detail", args=[w.cases["b1"].pk])
    assert "2025-09-20" in b1[0].detail
    assert [f.subject for f in found(w.t1, D(2025, 8, 20))] == ["周预备", "吴预备"]
    assert [f.subject for f in found(w.b3, D(2025, 8, 20))] == ["郑预备"]  # the sibling sees only its own
    assert [f.subject for f in found(w.t2, D(2025, 8, 20))] == ["郑预备"]
    assert found(w.county2, D(2025, 8, 20)) == []


def test_the_window_follows_the_apps_rule(situation):
    w = situation
    assert found(w.county, D(2025, 8, 19)) == []  # more than a calendar month before the end
    assert len(found(w.county, D(2025, 9, 20))) == 3  # the last day of the probation
    ended = found(w.county, D(2026, 3, 1))  # long ended, no conversion decision
    assert [f.subject for f in ended] == ["周预备", "吴预备", "郑预备"] and {f.due for f in ended} == {END}


def test_ended_without_a_decision_is_a_different_message(situation):
    from django.utils import translation

    w = situation
    with translation.override("en"):
        before, after = found(w.b1, D(2025, 9, 15))[0], found(w.b1, D(2025, 9, 21))[0]
    assert "in a week or less" in before.detail
    assert "no conversion decision" in after.detail


@pytest.mark.parametrize("org", ["b1", "county"])
def test_one_query_for_one_and_for_three_organizations(situation, django_assert_num_queries, org):
    with django_assert_num_queries(1):
        found(getattr(situation, org), D(2025, 9, 21))
