"""Indicators and monitors as registries (issue 9 item 6), for the data centre (issue 17) and
any other reader: each app declares, from its ``AppConfig.ready()``, what it can measure for an
organization's subtree over a period (an *indicator*: meetings held, dues paid rate...) and what
it can find that needs someone's attention now (a *monitor*: arrears, a probation ending...).
The reader never imports the app's models: it calls the registered function.

Rules kept here, once for every app (DOMAIN §12): an indicator built on study time, online time,
check-ins, likes or shares is declared ``assessable=False`` and :func:`assessable` never offers
it for assessment; a monitor is for follow-up, never a ranking. The reader authorizes: it passes
only organizations its user may see (the functions trust their caller, like selectors).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

UNITS = ("count", "percent", "yuan", "days")
SEVERITIES = ("info", "warning", "alert")
#: what DOMAIN §12 keeps out of assessment: an indicator measuring one of these is not assessable
NOT_FOR_ASSESSMENT = ("study_time", "online_time", "check_in", "likes", "shares")

Number = int | Decimal | None


@dataclass(frozen=True)
class Indicator:
    """``compute(org, start, end)`` → the value for ``org``'s whole subtree over [start, end)
    (dates, Beijing time), None when it does not apply (e.g. a rate with nothing to divide)."""

    key: str  # "<app>.<name>"
    label: str
    unit: str
    compute: Callable[..., Number]
    rule_ref: str  # where the rule it measures comes from (DOMAIN §, a regulation's article)
    description: str = ""
    higher_is_better: bool = True
    assessable: bool = True
    measures: str = ""  # one of NOT_FOR_ASSESSMENT when it does (then assessable must be False)


@dataclass(frozen=True)
class Finding:
    org_path: str
    subject: str  # what or who needs attention (a name is fine: readers are the org's staff)
    detail: str
    url: str = ""
    due: dt.date | None = None


@dataclass(frozen=True)
class Monitor:
    """``find(org, today)`` → the findings in ``org``'s subtree as of ``today``, most urgent first."""

    key: str
    label: str
    severity: str
    find: Callable[..., list[Finding]]
    rule_ref: str
    description: str = ""


_INDICATORS: dict[str, Indicator] = {}
_MONITORS: dict[str, Monitor] = {}


def _check_key(kind: str, key: str) -> None:
    if "." not in key or " " in key:
        raise ValueError(f"{kind} key {key!r}: '<app>.<name>'")


def register_indicator(*items: Indicator) -> None:
    for i in items:
        _check_key("indicator", i.key)
        if i.unit not in UNITS:
            raise ValueError(f"indicator {i.key!r}: unit must be one of {UNITS}")
        if not i.rule_ref:
            raise ValueError(f"indicator {i.key!r}: name the rule it measures (rule_ref)")
        if i.measures and i.measures not in NOT_FOR_ASSESSMENT:
            raise ValueError(f"indicator {i.key!r}: measures must be one of {NOT_FOR_ASSESSMENT}")
        if i.measures and i.assessable:
            raise ValueError(f"indicator {i.key!r} measures {i.measures}: DOMAIN §12 keeps it out of assessment (assessable=False)")
        if i.key in _INDICATORS and _INDICATORS[i.key] != i:
            raise ValueError(f"indicator {i.key!r} is already registered")
        _INDICATORS[i.key] = i


def register_monitor(*items: Monitor) -> None:
    for m in items:
        _check_key("monitor", m.key)
        if m.severity not in SEVERITIES:
            raise ValueError(f"monitor {m.key!r}: severity must be one of {SEVERITIES}")
        if not m.rule_ref:
            raise ValueError(f"monitor {m.key!r}: name the rule it watches (rule_ref)")
        if m.key in _MONITORS and _MONITORS[m.key] != m:
            raise ValueError(f"monitor {m.key!r} is already registered")
        _MONITORS[m.key] = m


def indicators() -> list[Indicator]:
    return sorted(_INDICATORS.values(), key=lambda i: i.key)


def assessable() -> list[Indicator]:
    """The indicators an assessment may use (DOMAIN §12: never study or online time, check-ins,
    likes, shares)."""
    return [i for i in indicators() if i.assessable]


def monitors() -> list[Monitor]:
    return sorted(_MONITORS.values(), key=lambda m: m.key)


def indicator(key: str) -> Indicator:
    try:
        return _INDICATORS[key]
    except KeyError:
        raise LookupError(f"no indicator {key!r}") from None


def monitor(key: str) -> Monitor:
    try:
        return _MONITORS[key]
    except KeyError:
        raise LookupError(f"no monitor {key!r}") from None


def compute(key: str, *, org, start: dt.date, end: dt.date) -> Number:
    """One indicator's value for ``org``'s subtree over [start, end)."""
    if end <= start:
        raise ValueError("the period must end after it starts")
    return indicator(key).compute(org=org, start=start, end=end)


def findings(key: str, *, org, today: dt.date) -> list[Finding]:
    return monitor(key).find(org=org, today=today)
