"""Configurable numbers of elections and terms (DOMAIN §2 "Terms", §1.2, §11) — [cfg] defaults.

Term lengths come from ``settings.DANGJIAN_STRUCTURE["term_years"]`` through
``dangjian.core.services.term_years`` (village/community 5, branch/general branch 3, committees 5).
Override the keys below with ``DANGJIAN_ELECTIONS = {...}`` in settings.
"""
from __future__ import annotations

from dangjian.core import config

RULE_VERSION = "党章 arts. 7, 31; 基层组织选举工作条例(2020) arts. 3, 4, 5; 支部工作条例(2018) art. 9; 关于党的基层组织任期的意见(2018); 1990 暂行条例 arts. 19, 29"

DEFAULTS = {
    "remind_months_before_end": 6,       # upper org reminds ~6 months before the term ends
    "max_adjust_months": 12,             # postponement / advance ≤ 1 year, upper approval
    "elected_base": "entitled",          # yes > ½ of 应到 (default, stricter) or of 实到 ("present")
    "expiring_soon_months": 6,           # yellow on the overview
    "officer_min_standing_months": 12,   # [warn] secretary with < 1 year 党龄 (DOMAIN §2, §11)
    "standing_positions": ("secretary",),  # DOMAIN names the secretary; add "deputy_secretary" to warn on deputies too
    "congress_option_at": 500,           # ≥500 members: 党员代表大会 option (选举工作条例 art. 4)
}


def cfg(key: str):
    return config.section("ELECTIONS", DEFAULTS)[key]
