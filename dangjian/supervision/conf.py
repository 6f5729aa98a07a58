"""Configurable parameters of supervision ([cfg] in DOMAIN §11), with their documented defaults.

Override in settings:

* ``DANGJIAN_COMPLETION_COLOURS`` — cell colour per status; default the Hejian convention of
  seed 003: ``{"done": "red", "due": "yellow", "overdue": "grey"}`` (+ ``not_yet``, ``na``).
  A value is a palette name (red, yellow, grey, green, orange, blue, white) or a CSS hex colour.
* ``DANGJIAN_ATTENDANCE_THRESHOLD`` — per cent; meetings below it are listed (default 80, the
  Laizhou rule of seed 002 / DOMAIN §9.2, §11).
* ``DANGJIAN_ABSENCE_STREAK_MONTHS`` — consecutive absent months that put a member on the list
  (default 3, DOMAIN §11 member-level [warn]); ``DANGJIAN_LAPSE_REVIEW_MONTHS`` — months that
  raise a self-lapse review warning (default 6, 教育管理条例 art. 31(6), DOMAIN §1.1).
* ``DANGJIAN_BULLETIN_GRADES`` — grade thresholds (per cent) of the monthly bulletin, default
  ``{"A": {"completion": 100, "attendance": 90}, "B": {"completion": 80, "attendance": 80}}``;
  C = some org life held but below B; D = no org life in the month.
"""
from __future__ import annotations

import re

from dangjian.core import config

DEFAULT_COLOURS = {"done": "red", "due": "yellow", "overdue": "grey", "not_yet": "white", "na": "white"}
PALETTE = {  # name -> (background, text)
    "red": ("#d63939", "#ffffff"),
    "yellow": ("#f7d154", "#1d273b"),
    "grey": ("#8a8f98", "#ffffff"),
    "gray": ("#8a8f98", "#ffffff"),
    "green": ("#2fb344", "#ffffff"),
    "orange": ("#f76707", "#ffffff"),
    "blue": ("#206bc4", "#ffffff"),
    "white": ("#ffffff", "#1d273b"),
}
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_GRADES = {"A": {"completion": 100.0, "attendance": 90.0}, "B": {"completion": 80.0, "attendance": 80.0}}
RULE_VERSION = "SUP-2026.1"  # bump when the grading or list definitions change


def colours() -> dict[str, tuple[str, str]]:
    """status -> (background, text colour). Unknown names fall back to the default."""
    conf = config.section("COMPLETION_COLOURS", DEFAULT_COLOURS)
    out = {}
    for status in DEFAULT_COLOURS:  # only the known statuses (they become CSS class names)
        value = str(conf[status]).strip()
        if value.lower() in PALETTE:
            out[status] = PALETTE[value.lower()]
        elif HEX.match(value):
            r, g, b = (int(value[i:i + 2], 16) for i in (1, 3, 5))
            dark = (0.299 * r + 0.587 * g + 0.114 * b) < 150
            out[status] = (value, "#ffffff" if dark else "#1d273b")
        else:
            out[status] = PALETTE[DEFAULT_COLOURS.get(status, "white")]
    return out


def colour_names() -> dict[str, str]:
    conf = config.section("COMPLETION_COLOURS", DEFAULT_COLOURS)
    return {k: str(v) for k, v in conf.items()}


def attendance_threshold() -> float:
    return float(config.value("ATTENDANCE_THRESHOLD", 80))


def absence_streak_months() -> int:
    return int(config.value("ABSENCE_STREAK_MONTHS", 3))


def lapse_review_months() -> int:
    return int(config.value("LAPSE_REVIEW_MONTHS", 6))


def grade_thresholds() -> dict[str, dict[str, float]]:
    conf = config.value("BULLETIN_GRADES", None) or {}
    out = {g: dict(v) for g, v in DEFAULT_GRADES.items()}
    for g, v in conf.items():
        out.setdefault(g, {}).update({k: float(x) for k, x in v.items()})
    return out
