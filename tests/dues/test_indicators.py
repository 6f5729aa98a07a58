"""Dues' indicator and monitor (issue 9 item 6): the paid rate of a subtree and the members in
arrears, through the registry, from bills and payments made with the dues services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from dangjian.core import indicators
from dangjian.core.dates import month_start_offset
from dangjian.dues import services

from .conftest import at

M = dt.date
Q3 = dict(start=M(2026, 7, 1), end=M(2026, 10, 1))
TODAY = M(2026, 10, 15)


def pay(world, member, first, months, actor="secretary"):
    return services.record_payment(actor=world.users[actor] if isinstance(actor, str) else actor, member=member, first_month=first, months=months, method="cash",
                                   paid_on=TODAY)


@pytest.fixture
def situation(world, profiled):
    """Bills July–October 2026 for b1, b2, b3 (profiles from January), as of 15 October:

    * b1: 李书记 paid Jul–Oct, 王委员 Jul–Sep, 赵党员 nothing (3 months in arrears), 钱预备 Jul–Aug
      (1 month), 孙组员 exempt from July (hardship, art. 7) → Q3: 8 paid of 12 (exempt left out);
    * b2: everyone paid Jul–Oct → 9 of 9; b3: 南村党员0 paid July only (2 months), the others all
      → 7 of 9."""
    from django.contrib.auth import get_user_model

    from dangjian.core import services as org_services

    w = world
    secretary3 = get_user_model().objects.create_user(username="secretary3", password="x-correct-horse-3")
    org_services.grant_role(actor=None, user=secretary3, org=w.b3, role="secretary")
    with at(2026, 10, 15):
        for m in [*w.m_b2, *w.m_b3]:
            services.set_profile(actor=None, member=m, category="farmer", fixed_amount=Decimal("1.00"),
                                 effective_month=M(2026, 1, 1), today=M(2026, 1, 5))
        month = M(2026, 7, 1)
        while month <= M(2026, 10, 1):
            for org in (w.b1, w.b2, w.b3):
                services.generate_bills(actor=None, month=month, org=org)
            month = month_start_offset(month, 1)
        h = services.request_hardship(actor=w.users["secretary"], member=w.m_group, amount=Decimal("0"), reason="重病",
                                      study_date=M(2026, 7, 1), study_record="支委会研究同意", from_month=M(2026, 7, 1))
        services.decide_hardship(actor=w.users["town_admin"], hardship=h, approve=True, approval_record="东镇党委〔2026〕12号")
        pay(w, w.m_secretary, M(2026, 7, 1), 4)
        pay(w, w.m_committee, M(2026, 7, 1), 3)
        pay(w, w.m_probationary, M(2026, 7, 1), 2)
        for m in w.m_b2:
            pay(w, m, M(2026, 7, 1), 4, actor="secretary2")
        pay(w, w.m_b3[0], M(2026, 7, 1), 1, actor=secretary3)
        for m in w.m_b3[1:]:
            pay(w, m, M(2026, 7, 1), 4, actor=secretary3)
    return w


def rate(org, period=Q3):
    return indicators.compute("dues.paid_rate", org=org, **period)


def found(org, today=TODAY):
    with translation.override("en"):
        return indicators.findings("dues.arrears", org=org, today=today)


def test_registered_with_the_rules_they_follow():
    assert "arts. 7, 12" in indicators.indicator("dues.paid_rate").rule_ref
    mon = indicators.monitor("dues.arrears")
    assert "art. 13" in mon.rule_ref and mon.severity == "warning"


def test_paid_rate_by_subtree(situation):
    w = situation
    assert rate(w.b1) == Decimal("66.7")  # 8 / 12: 孙组员's exempt months are not counted
    assert rate(w.b2) == Decimal("100.0")
    assert rate(w.t1) == Decimal("81.0")  # 17 / 21
    assert rate(w.b3) == Decimal("77.8") and rate(w.t2) == Decimal("77.8")  # none of b1's bills
    assert rate(w.county) == Decimal("80.0")  # 24 / 30
    assert rate(w.county2) is None  # no bill at all
    assert rate(w.b1, dict(start=M(2026, 10, 1), end=M(2026, 11, 1))) == Decimal("25.0")  # October: 李书记 only, of 4


def test_a_period_starting_mid_month_takes_that_whole_month(situation):
    w = situation
    assert rate(w.b1, dict(start=M(2026, 7, 15), end=M(2026, 10, 1))) == rate(w.b1)


def test_arrears_by_subtree_longest_first(situation):
    w = situation
    url = reverse("dues-arrears")
    b1 = found(w.b1)
    assert [(f.subject, f.detail, f.due) for f in b1] == [
        ("赵党员", "3 consecutive months unpaid since 2026-07.", M(2027, 1, 1)),  # the review case would open in January
        ("钱预备", "1 month unpaid since 2026-09.", M(2027, 3, 1)),
    ]
    assert {f.org_path for f in b1} == {w.b1.path} and {f.url for f in b1} == {f"{url}?org={w.b1.pk}"}
    assert found(w.b1) == found(w.t1)  # b2 is paid up
    assert [(f.subject, f.org_path) for f in found(w.b3)] == [("南村党员0", w.b3.path)]
    assert [f.subject for f in found(w.t2)] == ["南村党员0"]
    assert [f.subject for f in found(w.county)] == ["赵党员", "南村党员0", "钱预备"]
    assert found(w.county2) == []


def test_the_review_months_setting_is_the_apps_own(situation, settings):
    settings.DANGJIAN_DUES_REVIEW_MONTHS = 3
    top = found(situation.b1)[0]
    assert top.subject == "赵党员" and top.due is None and "review case" in top.detail


def test_a_party_groups_member_is_handled_at_the_branch(situation):
    w = situation
    with at(2026, 10, 15):
        services.generate_bills(actor=None, month=M(2026, 11, 1), org=w.b1)
    # 孙组员 (Party group G1 of b1) is exempt: nothing; the link of any finding names the branch
    assert all(f.url.endswith(f"?org={w.b1.pk}") for f in found(w.b1, M(2026, 12, 2)))


@pytest.mark.parametrize("key", ["paid_rate", "arrears"])
def test_constant_queries_for_one_and_for_three_organizations(situation, django_assert_num_queries, key):
    w = situation
    for org in (w.b1, w.county):
        with django_assert_num_queries(1 if key == "paid_rate" else 3):
            if key == "paid_rate":
                rate(org)
            else:
                found(org)
