"""State changes of organizational relationship (组织关系) — DOMAIN §5 and §11
"Organisational relationship", rule version ``conf.RULE_VERSION``.

Every function: keyword-only, ``actor`` first, one transaction, an audit row, notifications
written inside the transaction; a refused operation raises ``ValidationError`` before anything
is written. Permission: the views authorize through the scope, and every service asserts its
actor first against the same POLICY row (``policy.authorize`` / ``authorize_self``; decisions.md
38) — a refusal is ``policy.NotPermitted`` before any domain error; the business rules (states,
dates, the approving level) are checked here after it. One submodule per aggregate:

* :mod:`.letters` — the introduction letter: number, verification code, validity, approving level;
* :mod:`.lifecycle` — a transfer request, from the request to acceptance (art. 25);
* :mod:`.outside` — across the platform's edge: receipts of letters to outside organizations,
  transfers in from outside;
* :mod:`.registers` — the flowing / lost-contact / abroad / graduate registers and their findings;
* :mod:`.cases` — membership cases (stop membership, 自行脱党 review), decided by people;
* :mod:`.daily` — the daily job over all of them;
* ``_common`` — helpers the submodules share.

Re-exported here: every name the app and the tests use from ``transfers.services``.
"""
from .cases import decide_case, open_case, raise_lapse_review
from .daily import run_daily
from .letters import default_valid_days, letter_code, letter_valid_on, may_approve, verify_letter
from .lifecycle import (
    accept_transfer,
    approve_transfer,
    cancel_transfer,
    confirm_request,
    expire_transfer,
    refuse_transfer,
    reject_transfer,
    request_transfer,
)
from .outside import mark_receipt_returned, receipt_overdue, register_incoming
from .registers import away_findings, close_away, flag_away, log_contact, set_inflow

__all__ = [
    "accept_transfer",
    "approve_transfer",
    "away_findings",
    "cancel_transfer",
    "close_away",
    "confirm_request",
    "decide_case",
    "default_valid_days",
    "expire_transfer",
    "flag_away",
    "letter_code",
    "letter_valid_on",
    "log_contact",
    "mark_receipt_returned",
    "may_approve",
    "open_case",
    "raise_lapse_review",
    "receipt_overdue",
    "refuse_transfer",
    "register_incoming",
    "reject_transfer",
    "request_transfer",
    "run_daily",
    "set_inflow",
    "verify_letter",
]
