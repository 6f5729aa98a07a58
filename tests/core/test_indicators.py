"""The indicators and monitors registries (issue 9 item 6): what a declaration must carry, the
DOMAIN §12 rule on assessment, and what the apps registered from their ``AppConfig.ready()``."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from dangjian.core import indicators as reg
from dangjian.core.indicators import Finding, Indicator, Monitor

EXPECTED_INDICATORS = {"orglife.meetings_held", "orglife.attendance_rate", "dues.paid_rate", "members.total"}
EXPECTED_MONITORS = {"dues.arrears", "development.probation_ending", "transfers.overdue", "supervision.overdue_meetings"}


def _zero(**kw):
    return 0


def _nothing(**kw) -> list[Finding]:
    return []


def ind(**over) -> Indicator:
    base = dict(key="test.thing", label="x", unit="count", compute=_zero, rule_ref="DOMAIN §1.1")
    return Indicator(**{**base, **over})


def mon(**over) -> Monitor:
    base = dict(key="test.watch", label="x", severity="info", find=_nothing, rule_ref="DOMAIN §11")
    return Monitor(**{**base, **over})


@pytest.fixture
def scratch(monkeypatch):
    """Registries of this test only: the apps' declarations stay as they are for the others."""
    monkeypatch.setattr(reg, "_INDICATORS", dict(reg._INDICATORS))
    monkeypatch.setattr(reg, "_MONITORS", dict(reg._MONITORS))


def test_the_apps_registered_theirs_from_ready():
    assert {i.key for i in reg.indicators()} >= EXPECTED_INDICATORS
    assert {m.key for m in reg.monitors()} >= EXPECTED_MONITORS
    for item in [*reg.indicators(), *reg.monitors()]:
        fn = getattr(item, "compute", None) or item.find
        app = item.key.split(".")[0]
        assert fn.__module__ == f"dangjian.{app}.indicators", f"{item.key}: declared by {fn.__module__}"
        # a real rule: a DOMAIN section or a regulation's article / document number
        assert re.search(r"§\d|art\. ?\d|arts\. ?\d|号", item.rule_ref), f"{item.key}: {item.rule_ref!r}"
        assert str(item.label) and str(item.description)


@pytest.mark.parametrize("bad", [
    dict(key="nodot"), dict(key="a. b"), dict(unit="points"), dict(rule_ref=""),
    dict(measures="bogus", assessable=False),
    dict(measures="study_time"),  # assessable by default: DOMAIN §12 refuses it
    dict(measures="likes", assessable=True),
], ids=lambda d: ",".join(f"{k}={v}" for k, v in d.items()))
def test_a_bad_indicator_is_refused(scratch, bad):
    with pytest.raises(ValueError):
        reg.register_indicator(ind(**bad))
    assert "test.thing" not in {i.key for i in reg.indicators()}


@pytest.mark.parametrize("bad", [dict(key="nodot"), dict(severity="red"), dict(rule_ref="")],
                         ids=lambda d: ",".join(f"{k}={v}" for k, v in d.items()))
def test_a_bad_monitor_is_refused(scratch, bad):
    with pytest.raises(ValueError):
        reg.register_monitor(mon(**bad))


def test_a_key_registered_twice_differently_is_refused(scratch):
    reg.register_indicator(ind())
    reg.register_indicator(ind())  # the same declaration again (a second ready()) is fine
    with pytest.raises(ValueError):
        reg.register_indicator(ind(label="other"))
    reg.register_monitor(mon())
    reg.register_monitor(mon())
    with pytest.raises(ValueError):
        reg.register_monitor(mon(severity="alert"))
    taken = reg.indicators()[0]
    with pytest.raises(ValueError):
        reg.register_indicator(ind(key=taken.key))


def test_study_time_is_declared_but_never_offered_for_assessment(scratch):
    reg.register_indicator(ind(key="test.study_hours", unit="days", measures="study_time", assessable=False),
                           ind(key="test.not_assessed", assessable=False), ind(key="test.assessed"))
    keys = {i.key for i in reg.indicators()}
    assert {"test.study_hours", "test.not_assessed", "test.assessed"} <= keys
    offered = {i.key for i in reg.assessable()}
    assert "test.assessed" in offered and not offered & {"test.study_hours", "test.not_assessed"}
    assert all(i.assessable and not i.measures for i in reg.assessable())


def test_lookups_and_the_period(scratch):
    reg.register_indicator(ind(compute=lambda **kw: 7))
    d = dt.date(2026, 11, 1)
    assert reg.compute("test.thing", org=None, start=d, end=d + dt.timedelta(days=30)) == 7
    with pytest.raises(ValueError):
        reg.compute("test.thing", org=None, start=d, end=d)
    with pytest.raises(LookupError):
        reg.indicator("test.missing")
    with pytest.raises(LookupError):
        reg.findings("test.missing", org=None, today=d)
    assert [i.key for i in reg.indicators()] == sorted(i.key for i in reg.indicators())


def test_the_members_head_count_is_not_for_assessment():
    assert "members.total" not in {i.key for i in reg.assessable()}
