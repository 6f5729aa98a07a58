"""The dues rate engine: pure functions, no database (中组发〔2008〕3号, rule version ``RULE_VERSION``).

Every number that DOMAIN §3 marks as inferred or locally variable is a setting with the default shown:

* ``DANGJIAN_DUES_ROUNDING``          ``("0.01", "ROUND_HALF_UP")`` — to the fen, half up (inferred);
* ``DANGJIAN_DUES_SALARIED_BRACKETS`` ``[("3000", "0.005"), ("5000", "0.01"), ("10000", "0.015"), (None, "0.02")]``
  — inclusive upper bound, rate on the WHOLE base (art. 2);
* ``DANGJIAN_DUES_RETIRED_BRACKETS``  ``[("5000", "0.005"), (None, "0.01")]`` (art. 5);
* ``DANGJIAN_DUES_RETIRED_BASE_FACTOR`` ``"1"`` (a local variant uses 0.3 of the pension);
* ``DANGJIAN_DUES_FARMER_RANGE``      ``("0.2", "1")`` yuan a month (art. 6);
* ``DANGJIAN_DUES_FIXED_AMOUNT``      ``"0.2"`` yuan a month for students, the unemployed, low income (art. 6).
"""
from __future__ import annotations

import decimal
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

RULE_VERSION = "中组发〔2008〕3号"

SALARIED_BRACKETS = [("3000", "0.005"), ("5000", "0.01"), ("10000", "0.015"), (None, "0.02")]
RETIRED_BRACKETS = [("5000", "0.005"), (None, "0.01")]
ROUNDING_MODES = {m for m in dir(decimal) if m.startswith("ROUND_")}


def _cfg(name, default):
    return getattr(settings, name, default)


def money(value) -> Decimal:
    """A yuan amount as Decimal; floats are refused (binary fractions are not money)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(str(value)) if not isinstance(value, Decimal) else value


def rounding() -> tuple[Decimal, str]:
    """The configured (quantum, mode): default to the fen, half up (DOMAIN §3 "Rounding", inferred)."""
    quantum, mode = _cfg("DANGJIAN_DUES_ROUNDING", ("0.01", "ROUND_HALF_UP"))
    if mode not in ROUNDING_MODES:
        raise ValueError(f"DANGJIAN_DUES_ROUNDING: unknown mode {mode!r}")
    return Decimal(str(quantum)), mode


def round_money(value: Decimal) -> Decimal:
    quantum, mode = rounding()
    return money(value).quantize(quantum, rounding=mode)


def bracket_rate(base: Decimal, brackets) -> Decimal:
    """The rate of the bracket the whole base falls in; upper bounds are inclusive."""
    for upper, rate in brackets:
        if upper is None or base <= Decimal(str(upper)):
            return Decimal(str(rate))
    raise ValueError("brackets must end with an open bracket (None)")


def salaried_rate(base) -> Decimal:
    """中组发〔2008〕3号 art. 2 (rule version 2008): ≤3000 → 0.5 %; 3000–5000 (incl.) → 1 %;
    5000–10000 (incl.) → 1.5 %; >10000 → 2 %, applied to the whole after-tax base."""
    return bracket_rate(money(base), _cfg("DANGJIAN_DUES_SALARIED_BRACKETS", SALARIED_BRACKETS))


def retired_rate(base) -> Decimal:
    """中组发〔2008〕3号 art. 5 (rule version 2008): pension ≤5000 → 0.5 %, >5000 → 1 %."""
    return bracket_rate(money(base), _cfg("DANGJIAN_DUES_RETIRED_BRACKETS", RETIRED_BRACKETS))


def quarter_average(total) -> Decimal:
    """Art. 4: the monthly base of a self-employed member = the previous quarter's net income ÷ 3,
    rounded like the dues (:func:`round_money`)."""
    t = money(total)
    if t < 0:
        raise ValidationError(_("The quarter's net income cannot be negative."), code="negative_income")
    return round_money(t / 3)


def farmer_range() -> tuple[Decimal, Decimal]:
    lo, hi = _cfg("DANGJIAN_DUES_FARMER_RANGE", ("0.2", "1"))
    return Decimal(str(lo)), Decimal(str(hi))


def fixed_amount() -> Decimal:
    return Decimal(str(_cfg("DANGJIAN_DUES_FIXED_AMOUNT", "0.2")))


def monthly_dues(category: str, *, base=None, fixed=None, hardship=None) -> Decimal:
    """Monthly dues for one member (中组发〔2008〕3号, rule version 2008).

    * salaried (art. 1–2): whole-base bracket rate × after-tax base;
    * annual salary (art. 3): the same rates on the pay actually received that month;
    * self-employed / without fixed monthly income (art. 4): the same rates on the previous
      quarter's monthly average net income;
    * retired (art. 5): bracket rate × pension (× the configured local base factor);
    * farmer (art. 6): the amount fixed by the branch, 0.2–1 yuan;
    * student / unemployed / low income (art. 6): 0.2 yuan;
    * approved hardship (art. 7): the approved reduced amount, 0 = exempt — it replaces the above.

    Rounded with :func:`round_money`. Raises ValidationError for a missing or impossible input."""
    if hardship is not None:
        h = money(hardship)
        if h < 0:
            raise ValidationError(_("A hardship amount cannot be negative."), code="negative_amount")
        return round_money(h)
    if category in ("salaried", "annual_salary", "self_employed", "retired"):
        if base is None:
            raise ValidationError(_("A monthly base is needed for this dues category (art. 1 and 5)."), code="base_required")
        b = money(base)
        if b < 0:
            raise ValidationError(_("The monthly base cannot be negative."), code="negative_base")
        if category != "retired":  # art. 3 and 4: "按照上述比例" — the rates of art. 2
            return round_money(b * salaried_rate(b))
        factor = Decimal(str(_cfg("DANGJIAN_DUES_RETIRED_BASE_FACTOR", "1")))
        b = b * factor
        return round_money(b * retired_rate(b))
    if category == "farmer":
        lo, hi = farmer_range()
        if fixed is None:
            raise ValidationError(_("Set the farmer's monthly amount (%(lo)s–%(hi)s yuan, art. 6).") % {"lo": lo, "hi": hi}, code="no_farmer_amount")
        f = money(fixed)
        if not lo <= f <= hi:
            raise ValidationError(_("A farmer pays %(lo)s–%(hi)s yuan a month (art. 6).") % {"lo": lo, "hi": hi}, code="farmer_amount_out_of_range")
        return round_money(f)
    if category in ("student", "unemployed", "low_income"):
        return round_money(fixed_amount())
    raise ValidationError(_("Unknown dues category %(c)s.") % {"c": category}, code="unknown_category")


def rate_label(category: str, base=None) -> str:
    """A short human description of how the amount was computed (shown on the bill and profile)."""
    if category in ("salaried", "annual_salary", "self_employed") and base is not None:
        return f"{salaried_rate(base) * 100:.1f}%"
    if category == "retired" and base is not None:
        return f"{retired_rate(base) * 100:.1f}%"
    return ""
