"""Configurable numbers of member development (DOMAIN §4, §11 [cfg]) — defaults shown.

Override any key with ``DANGJIAN_DEVELOPMENT = {...}`` in settings (the rule pack and its
switches keep their own settings, see :mod:`.rules`).
"""
from __future__ import annotations

from dangjian.core import config

DEFAULTS = {
    # A probation extension (预备期延长) is decided by the 支部大会 when the probation ends (党章
    # art. 7; DOMAIN §4.2 "At expiry the branch discusses promptly: convert on time; or extend once
    # …"). DOMAIN gives no window: a meeting held at most this many days before the end of the
    # probation is accepted (the branch prepares the decision in the last month, when the
    # 1-month reminder goes out); an earlier one is refused (rule ``extension_at_expiry``).
    "extension_grace_days": 30,
}


def cfg(key: str):
    return config.section("DEVELOPMENT", DEFAULTS)[key]


def extension_grace_days() -> int:
    return max(0, int(cfg("extension_grace_days")))
