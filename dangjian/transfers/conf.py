"""Configurable numbers of DOMAIN §5 / §11 "Organisational relationship" ([cfg], defaults shown).

Override any key with ``DANGJIAN_TRANSFERS = {...}`` in settings.
"""
from __future__ import annotations

from dangjian.core import config

RULE_VERSION = "党员教育管理工作条例(2019) arts. 24, 25, 31-34; 组通字〔2006〕45号"

DEFAULTS = {
    # Letter validity (DOMAIN §5 "Letter validity", practice): 10 days in the same city, 30 days
    # elsewhere, never more than 3 months (90 days).
    "valid_days_same_city": 10,
    "valid_days_elsewhere": 30,
    "valid_days_max": 90,
    # [remind] the receiving side and the member this many days before the letter's last day
    "expiry_remind_days": 3,
    # The receipt (回执) is returned within 1 month of receipt (45号): warn when it is not back one
    # month after the letter's last valid day.
    "receipt_due_days": 30,
    # Who approves on the sending side: an org admin holding the role at an ancestor of the sending
    # branch of one of these kinds (the primary committee with authority over probationary
    # members — the township/street committee in the demo county). DOMAIN is not precise on the
    # level; configurable.
    "approver_kinds": ["town", "primary_committee", "county", "city"],
    # Flowing / lost contact (arts. 24, 32-34)
    "flowing_after_months": 6,
    "no_contact_warn_months": 6,
    "lost_contact_stop_months": 6,
    "stop_to_removal_years": 2,
    "abroad_contact_months": 6,
    "abroad_stop_years": 5,
    "graduate_at_school_years": 2,
}


def cfg(key: str):
    return config.section("TRANSFERS", DEFAULTS)[key]
