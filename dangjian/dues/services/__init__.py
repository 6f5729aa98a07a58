"""Party dues rules (中组发〔2008〕3号, rule version ``rates.RULE_VERSION``): every state change is
one function, one transaction, one audit row; refusals raise ValidationError with the article.

Who may act (decisions.md 38): the views authorize through the scope (POLICY "dues"), and every
service that takes an ``actor`` asserts the same row first with ``policy.authorize`` — before any
rule of the dues regulations — so a caller outside the scope gets ``policy.NotPermitted`` (403)
and nothing is written. ``actor=None`` is the system (the monthly bills job, the demo).

Submodules, one per aggregate (callers import from ``services`` itself, which re-exports them):

* ``profiles`` — dues profiles and their history, the re-base reminder, a month's amount;
* ``hardship`` — reduced or exempt dues (art. 7);
* ``bills`` — monthly bills, one or a month's in bulk, an excused month;
* ``payments`` — payments at the home branch and at the inflow organization (art. 9, 11–14);
* ``arrears`` — the daily arrears check, its escalation and the 6-month review case (art. 13);
* ``publicity`` — the month's totals on the publicity board;
* ``_common`` — the [cfg] settings of the rules, who owes from when, the member's branch.

The [cfg] values are read from ``settings`` at each call (``DANGJIAN_DUES_*``), so a test changes
them with the ``settings`` fixture, not by patching a module.
"""
from ._common import (
    SETTLED,
    back_payment_months,
    billable_from,
    branch_of,
    centre_threshold,
    default_category,
    max_advance_months,
    rebase_month,
    stale_base_months,
)
from .arrears import (
    ESCALATION_KINDS,
    arrears_streaks,
    decide_case,
    escalation_kinds,
    review_months,
    run_arrears,
    superior_committee,
)
from .bills import create_bill, excuse_bill, generate_bills
from .hardship import decide_hardship, request_hardship
from .payments import ALLOWED_KINDS, record_inflow_payment, record_payment
from .profiles import amount_for, profile_warnings, quarter_start, rebase_reminders, set_profile, sync_profile_paths
from .publicity import publicity_totals, publish_totals

__all__ = [
    "ALLOWED_KINDS",
    "amount_for",
    "arrears_streaks",
    "back_payment_months",
    "billable_from",
    "branch_of",
    "centre_threshold",
    "create_bill",
    "decide_case",
    "decide_hardship",
    "default_category",
    "ESCALATION_KINDS",
    "escalation_kinds",
    "excuse_bill",
    "generate_bills",
    "max_advance_months",
    "profile_warnings",
    "publicity_totals",
    "publish_totals",
    "quarter_start",
    "rebase_month",
    "rebase_reminders",
    "record_inflow_payment",
    "record_payment",
    "request_hardship",
    "review_months",
    "run_arrears",
    "set_profile",
    "SETTLED",
    "stale_base_months",
    "superior_committee",
    "sync_profile_paths",
]
