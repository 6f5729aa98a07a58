"""The rate engine of 中组发〔2008〕3号 art. 2, 5, 6, 7: whole-base brackets, every edge ±0.01 yuan."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.dues import rates

D = Decimal

# (base, expected monthly dues) at every bracket edge and ±0.01 yuan (DOMAIN §3 "Cliffs to test")
SALARIED = [
    ("0.00", "0.00"),
    ("2999.99", "15.00"),   # 14.99995 → 15.00 (half up)
    ("3000.00", "15.00"),
    ("3000.01", "30.00"),   # the cliff: the whole base moves to 1 %
    ("4999.99", "50.00"),
    ("5000.00", "50.00"),
    ("5000.01", "75.00"),
    ("5400.00", "81.00"),   # DOMAIN worked example
    ("9999.99", "150.00"),
    ("10000.00", "150.00"),
    ("10000.01", "200.00"),
    ("11500.00", "230.00"),  # DOMAIN worked example
]
RETIRED = [
    ("4999.99", "25.00"),
    ("5000.00", "25.00"),
    ("5000.01", "50.00"),
    ("3000.01", "15.00"),
    ("10000.01", "100.00"),
]


@pytest.mark.parametrize("base,expected", SALARIED)
def test_salaried_whole_base_brackets(base, expected):
    assert rates.monthly_dues("salaried", base=D(base)) == D(expected)


@pytest.mark.parametrize("base,expected", RETIRED)
def test_retired_brackets(base, expected):
    assert rates.monthly_dues("retired", base=D(base)) == D(expected)


@pytest.mark.parametrize("base,rate", [("3000", "0.005"), ("3000.01", "0.01"), ("5000", "0.01"), ("5000.01", "0.015"),
                                       ("10000", "0.015"), ("10000.01", "0.02")])
def test_upper_bounds_are_inclusive(base, rate):
    assert rates.salaried_rate(D(base)) == D(rate)


def test_rounding_default_half_up_to_the_fen():
    # 1234.50 × 0.5 % = 6.1725 → 6.17 ; 1235.00 × 0.5 % = 6.175 → 6.18 (half up, not banker's)
    assert rates.monthly_dues("salaried", base=D("1234.50")) == D("6.17")
    assert rates.monthly_dues("salaried", base=D("1235.00")) == D("6.18")


def test_rounding_is_configurable(settings):
    settings.DANGJIAN_DUES_ROUNDING = ("0.01", "ROUND_HALF_EVEN")
    assert rates.monthly_dues("salaried", base=D("1235.00")) == D("6.18")  # 6.175 → 6.18 (8 even)
    assert rates.monthly_dues("salaried", base=D("1233.00")) == D("6.16")  # 6.165 → 6.16 under half-even
    settings.DANGJIAN_DUES_ROUNDING = ("0.1", "ROUND_HALF_UP")  # to the jiao
    assert rates.monthly_dues("salaried", base=D("1235.00")) == D("6.2")
    settings.DANGJIAN_DUES_ROUNDING = ("1", "ROUND_UP")  # whole yuan, up
    assert rates.monthly_dues("salaried", base=D("1235.00")) == D("7")
    settings.DANGJIAN_DUES_ROUNDING = ("0.01", "ROUND_SIDEWAYS")
    with pytest.raises(ValueError):
        rates.monthly_dues("salaried", base=D("1000"))


def test_brackets_and_retiree_base_factor_are_configurable(settings):
    settings.DANGJIAN_DUES_RETIRED_BASE_FACTOR = "0.3"  # the local variant of DOMAIN §3
    assert rates.monthly_dues("retired", base=D("6000")) == D("9.00")  # 1800 × 0.5 %


@pytest.mark.parametrize("category", ["student", "unemployed", "low_income"])
def test_fixed_categories_pay_two_jiao(category):
    assert rates.monthly_dues(category) == D("0.20")


@pytest.mark.parametrize("amount,ok", [("0.19", False), ("0.20", True), ("0.50", True), ("1.00", True), ("1.01", False)])
def test_farmers_pay_between_two_jiao_and_one_yuan(amount, ok):
    if ok:
        assert rates.monthly_dues("farmer", fixed=D(amount)) == D(amount)
    else:
        with pytest.raises(ValidationError) as e:
            rates.monthly_dues("farmer", fixed=D(amount))
        assert e.value.code == "farmer_amount_out_of_range"


def test_hardship_amount_replaces_the_computed_amount():
    assert rates.monthly_dues("salaried", base=D("8000"), hardship=D("0")) == D("0.00")
    assert rates.monthly_dues("salaried", base=D("8000"), hardship=D("10")) == D("10.00")


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        rates.monthly_dues("salaried", base=3000.01)


def test_missing_or_negative_base_is_refused():
    with pytest.raises(ValidationError) as e:
        rates.monthly_dues("salaried", base=None)
    assert e.value.code == "base_required"
    with pytest.raises(ValidationError) as e:
        rates.monthly_dues("retired", base=D("-1"))
    assert e.value.code == "negative_base"
    with pytest.raises(ValidationError) as e:
        rates.monthly_dues("special")
    assert e.value.code == "unknown_category"


# -- properties (hypothesis) ------------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

bases = st.decimals(min_value=D("0"), max_value=D("200000"), places=2, allow_nan=False, allow_infinity=False)


def reference_rate(base: Decimal) -> Decimal:
    """The table of art. 2 written out independently."""
    if base <= 3000:
        return D("0.005")
    if base <= 5000:
        return D("0.01")
    if base <= 10000:
        return D("0.015")
    return D("0.02")


@given(bases)
def test_salaried_matches_the_table_on_the_whole_base(base):
    expected = (base * reference_rate(base)).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert rates.monthly_dues("salaried", base=base) == expected
    assert expected.as_tuple().exponent == -2  # always to the fen


@given(bases, bases)
def test_rate_never_falls_as_the_base_rises(a, b):
    lo, hi = sorted((a, b))
    assert rates.salaried_rate(lo) <= rates.salaried_rate(hi)
    assert rates.retired_rate(lo) <= rates.retired_rate(hi)
    assert rates.monthly_dues("salaried", base=lo) <= rates.monthly_dues("salaried", base=hi)


@given(bases)
def test_retired_pays_at_most_what_a_salaried_member_pays(base):
    assert rates.monthly_dues("retired", base=base) <= rates.monthly_dues("salaried", base=base)
