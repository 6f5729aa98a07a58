"""The introduction letter (介绍信) and who approves it — DOMAIN §5, 组通字〔2006〕45号.

* The letter is numbered and records the month dues are paid up to and its validity in days; a
  short verification code is printed on it (:func:`letter_code`, checked by :func:`verify_letter`).
* Letter validity [cfg] 10 days in the same city / 30 days elsewhere, at most 3 months ([block]).
* The approving level: an org admin at an ancestor of the sending branch of an approving kind
  ([cfg] ``approver_kinds``); the branch itself never approves its own transfer.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from django.conf import settings

from dangjian.core.models import Organization, OrgKind, Role

from ..conf import cfg
from ..models import Transfer, TransferKind

# -- letters -----------------------------------------------------------------------------------

def letter_code(transfer: Transfer) -> str:
    """The short verification code printed on the letter: HMAC-SHA256 over the letter's number,
    its member record and issue date with a key derived from SECRET_KEY; 10 base32 characters.
    Checking it needs the number too, and reveals no personal data."""
    key = hashlib.sha256(("dangjian.transfers.letter:" + settings.SECRET_KEY).encode()).digest()
    msg = f"{transfer.letter_no}|{transfer.member_id}|{transfer.issued_on}".encode()
    digest = hmac.new(key, msg, hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:10]


def verify_letter(letter_no: str, code: str) -> Transfer | None:
    """The transfer whose letter has this number and code, or None (constant-time compare)."""
    t = Transfer.objects.filter(letter_no=(letter_no or "").strip().upper()).first()
    if t is None or not hmac.compare_digest(letter_code(t), (code or "").strip().upper().replace("-", "")):
        return None
    return t


def city_of(org: Organization | None) -> str | None:
    if org is None:
        return None
    for a in list(org.ancestors()) + [org]:
        if a.kind == OrgKind.CITY_COMMITTEE:
            return a.path
    return None


def default_valid_days(transfer: Transfer) -> int:
    """[cfg] 10 days when both sides are in the same city, 30 days otherwise (DOMAIN §5)."""
    same = transfer.kind == TransferKind.INTERNAL and city_of(transfer.from_org) and \
        city_of(transfer.from_org) == city_of(transfer.to_org)
    return cfg("valid_days_same_city") if same else cfg("valid_days_elsewhere")


def letter_valid_on(transfer: Transfer, day: dt.date) -> bool:
    """The letter is valid from its issue day through ``valid_until`` (issue + validity days)."""
    return bool(transfer.valid_until) and transfer.issued_on <= day <= transfer.valid_until


def approver_org(from_org: Organization | None) -> Organization | None:
    """The nearest ancestor of the sending branch of an approving kind ([cfg] ``approver_kinds``)."""
    if from_org is None:
        return None
    kinds = set(cfg("approver_kinds"))
    for a in reversed(list(from_org.ancestors())):
        if a.kind in kinds:
            return a
    return None


def may_approve(actor, transfer: Transfer) -> bool:
    """An org admin holding the role at an ancestor of the sending branch whose kind is an
    approving kind ([cfg]); the branch itself never approves its own transfer."""
    from dangjian.core.models import RoleAssignment

    if not getattr(actor, "pk", None) or transfer.from_org is None:
        return False
    kinds = set(cfg("approver_kinds"))
    rows = RoleAssignment.objects.filter(user=actor, active=True, role=Role.ORG_ADMIN).select_related("org")
    return any(r.org.kind in kinds and transfer.from_path.startswith(r.org.path) and transfer.from_path != r.org.path
               for r in rows)
