"""Annual-salary (年薪制, art. 3) and self-employed (个体, art. 4) members: the rates of art. 2 on
the pay actually received each month / on the previous quarter's monthly average net income."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from dangjian.core.errors import REFUSAL_HEADER
from dangjian.dues import rates, services
from dangjian.dues.models import DuesBill, DuesProfile

from .conftest import at, why

pytestmark = pytest.mark.django_db
D = Decimal
M = dt.date
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


# -- rates (pure) -----------------------------------------------------------------------------------

@pytest.mark.parametrize("category", ["annual_salary", "self_employed"])
@pytest.mark.parametrize("base,due", [("3000.00", "15.00"), ("3000.01", "30.00"), ("5000.00", "50.00"), ("5000.01", "75.00"),
                                      ("10000.00", "150.00"), ("10000.01", "200.00"), ("11500", "230.00")])
def test_art_3_and_4_use_the_rates_of_art_2_on_the_whole_base(category, base, due):
    assert rates.monthly_dues(category, base=D(base)) == D(due)
    assert rates.rate_label(category, D(base)).endswith("%")


def test_art_3_and_4_need_a_base():
    with pytest.raises(ValidationError) as e:
        rates.monthly_dues("annual_salary", base=None)
    assert why(e.value) == [(None, "base_required")]


def test_quarter_average_is_the_quarters_income_over_three_rounded():
    assert rates.quarter_average(D("15000")) == D("5000.00")
    assert rates.quarter_average(D("10000")) == D("3333.33")
    assert rates.quarter_average(D("10000.01")) == D("3333.34")  # half up: 3333.336…
    with pytest.raises(ValidationError) as e:
        rates.quarter_average(D("-1"))
    assert why(e.value) == [(None, "negative_income")]


# -- annual salary: the pay of each month -------------------------------------------------------------

def test_annual_salary_bills_each_month_on_that_months_pay(world):
    m = world.m_member
    with at(2026, 3, 20):
        services.set_profile(actor=None, member=m, category="annual_salary", base=D("4000"), effective_month=M(2026, 1, 1),
                             reason="initial")
        services.set_profile(actor=None, member=m, category="annual_salary", base=D("12000"), effective_month=M(2026, 2, 1),
                             reason="monthly_pay")
        for mo in (1, 2, 3):
            services.generate_bills(actor=None, month=M(2026, mo, 1), org=world.b1)
        assert DuesBill.objects.get(member=m, month=M(2026, 1, 1)).amount_due == D("40.00")  # 1 % of 4000
        assert DuesBill.objects.get(member=m, month=M(2026, 2, 1)).amount_due == D("240.00")  # 2 % of 12000
        # March's pay not entered yet: the bill uses February's and the profile says so
        assert DuesBill.objects.get(member=m, month=M(2026, 3, 1)).amount_due == D("240.00")
        p = DuesProfile.objects.get(member=m)
        with translation.override("en"):
            warnings = services.profile_warnings(p)
        assert any("2026-03 is not entered yet" in w for w in warnings)
        # entering March's pay re-prices the unpaid March bill and clears the warning
        p = services.set_profile(actor=None, member=m, category="annual_salary", base=D("2800"), effective_month=M(2026, 3, 1),
                                 reason="monthly_pay")
        assert DuesBill.objects.get(member=m, month=M(2026, 3, 1)).amount_due == D("14.00")
        assert services.profile_warnings(p) == []


def test_annual_salary_refuses_the_pay_of_a_month_not_begun(world):
    with at(2026, 3, 20), translation.override("en"), pytest.raises(ValidationError) as ei:
        services.set_profile(actor=None, member=world.m_member, category="annual_salary", base=D("9000"),
                             effective_month=M(2026, 4, 1), reason="monthly_pay")
    assert why(ei.value) == [("effective_month", "month_not_begun")]
    assert "2026-04" in ei.value.message_dict["effective_month"][0]  # names the month
    assert not DuesProfile.objects.filter(member=world.m_member).exists()
    # a salaried member's salary change may still be entered ahead (art. 10)
    with at(2026, 3, 20):
        assert services.set_profile(actor=None, member=world.m_member, category="salaried", base=D("9000"),
                                    effective_month=M(2026, 4, 1)).pk


def test_a_late_correction_keeps_the_latest_month_on_the_profile(world):
    m = world.m_member
    with at(2026, 3, 20):
        services.set_profile(actor=None, member=m, category="annual_salary", base=D("4000"), effective_month=M(2026, 1, 1))
        services.set_profile(actor=None, member=m, category="annual_salary", base=D("6000"), effective_month=M(2026, 3, 1),
                             reason="monthly_pay")
        services.generate_bills(actor=None, month=M(2026, 1, 1), org=world.b1)
        p = services.set_profile(actor=None, member=m, category="annual_salary", base=D("4500"), effective_month=M(2026, 1, 1),
                                 reason="correction")
        assert p.base == D("6000") and p.effective_month == M(2026, 3, 1)
        assert DuesBill.objects.get(member=m, month=M(2026, 1, 1)).amount_due == D("45.00")
        assert p.changes.count() == 3


# -- self-employed: the previous quarter's average ----------------------------------------------------

def test_self_employed_base_from_the_quarters_income_and_quarterly_warning(world):
    m = world.m_member
    with at(2026, 4, 5):
        p = services.set_profile(actor=None, member=m, category="self_employed", quarter_income=D("18000"),
                                 effective_month=M(2026, 4, 1), reason="quarterly")
        assert p.base == D("6000.00")
        services.generate_bills(actor=None, month=M(2026, 4, 1), org=world.b1)
        assert DuesBill.objects.get(member=m, month=M(2026, 4, 1)).amount_due == D("90.00")  # 1.5 % of 6000
        assert services.profile_warnings(p) == []
    with at(2026, 6, 30):
        assert services.profile_warnings(p) == []  # still the same quarter
    with at(2026, 7, 3), translation.override("en"):
        w = services.profile_warnings(p)
        assert any("quarter from 2026-07" in x for x in w)
        assert not any("annual re-base" in x for x in w)


def test_self_employed_two_different_figures_are_refused(world):
    with translation.override("en"), pytest.raises(ValidationError) as ei:
        services.set_profile(actor=None, member=world.m_member, category="self_employed", base=D("5000"),
                             quarter_income=D("18000"), effective_month=M(2026, 4, 1), today=M(2026, 4, 5))
    assert why(ei.value) == [("base", "base_mismatch")]
    assert not DuesProfile.objects.filter(member=world.m_member).exists()
    # the same figure twice is fine
    p = services.set_profile(actor=None, member=world.m_member, category="self_employed", base=D("6000"),
                             quarter_income=D("18000"), effective_month=M(2026, 4, 1), today=M(2026, 4, 5))
    assert p.base == D("6000.00")


def test_rebase_reminder_leaves_monthly_and_quarterly_categories_alone(world):
    from dangjian.notify.models import InboxMessage

    with at(2025, 12, 10):
        services.set_profile(actor=None, member=world.m_member, category="annual_salary", base=D("8000"),
                             effective_month=M(2025, 12, 1))
        services.set_profile(actor=None, member=world.m_committee, category="self_employed", base=D("3000"),
                             effective_month=M(2025, 10, 1))
    with at(2026, 1, 3):
        assert services.rebase_reminders() == 0
        services.set_profile(actor=None, member=world.m_secretary, category="salaried", base=D("4000"),
                             effective_month=M(2025, 1, 1), today=M(2025, 1, 3))
        assert services.rebase_reminders() == 1
    msg = InboxMessage.objects.get(user=world.users["secretary"], kind="dues.rebase_due")
    assert "1" in msg.body


def test_profile_form_takes_the_quarters_income(world, login):
    with at(2026, 4, 5):
        c = login(world.users["secretary"])
        r = c.get(reverse("dues-profile-edit"), {"member": world.m_member.pk}, **EN)
        assert "previous quarter&#x27;s net income" in r.content.decode()
        r = c.post(reverse("dues-profile-edit"), {"member": world.m_member.pk, "category": "self_employed", "base": "",
                                                  "quarter_income": "9000", "effective_month": "2026-04", "reason": "quarterly"})
        assert r.status_code == 302
        assert DuesProfile.objects.get(member=world.m_member).base == D("3000.00")
        r = c.post(reverse("dues-profile-edit"), {"member": world.m_committee.pk, "category": "annual_salary", "base": "7000",
                                                  "effective_month": "2026-05", "reason": "monthly_pay"}, **EN)
        assert r.status_code == 200 and r[REFUSAL_HEADER] == "month_not_begun"
        assert not DuesProfile.objects.filter(member=world.m_committee).exists()
