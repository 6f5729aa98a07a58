"""Configurable numbers of the democratic appraisal (DOMAIN §6, §11) — [cfg] defaults.

Override with ``DANGJIAN_APPRAISAL = {...}`` in settings.
"""
from __future__ import annotations

from fractions import Fraction

from dangjian.core import config

RULE_VERSION = "教育管理条例(2019) art. 18; 支部工作条例(2018); 共产党员网 民主评议 topic (grades, 优秀 ≤1/3); DOMAIN §6 rev. 2026-11"

DEFAULTS = {
    # "优秀" normally ≤ 1/3 of the members graded (DOMAIN §6, §11 [block])
    "excellent_max_share": "1/3",
    # who casts a 民主测评 ballot: DOMAIN §6 names no voters; §1.2 (党章 art. 7, 选举条例 art. 5) gives
    # votes to full members only, none to probationary members or members whose rights are restricted
    "probationary_vote": False,
    # the years a round may be opened for: this year, or (late) last year
    "years_back": 1,
}


def cfg(key: str):
    return config.section("APPRAISAL", DEFAULTS)[key]


def excellent_share() -> Fraction:
    return Fraction(str(cfg("excellent_max_share")))
