"""The daily job of organizational relationship (periodic ``transfers.daily``, tasks.py) — DOMAIN
§11 [warn]/[remind] over every aggregate: letters about to expire and expired (:mod:`.lifecycle`),
receipts overdue (:mod:`.outside`), flowing members without contact (:mod:`.registers`), and the
cases art. 24 calls for (:mod:`.cases`). Nobody is stopped or removed: cases wait for people."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.dates import same_day_months_later
from dangjian.core.models import Role
from dangjian.members.api import RecordState
from dangjian.notify.api import RoleIn, notify

from ..conf import cfg
from ..models import AwayRecord, CaseKind, CaseStatus, MembershipCase, Transfer, TransferStatus
from ._common import _notify, _side_recipients, add_years
from .cases import open_case
from .lifecycle import expire_transfer
from .outside import warn_receipt_overdue
from .registers import away_findings


def run_daily(today: dt.date | None = None) -> dict[str, int]:
    """The daily job: expire letters, warn on missing receipts, warn on flowing members without
    contact, open the cases art. 24 calls for (lost ≥6 months, abroad >5 years, 2 years after a
    stop). Nobody is stopped or removed: cases wait for people."""
    today = today or timezone.localdate()
    counts = {"expiring": 0, "expired": 0, "receipt": 0, "no_contact": 0, "cases": 0}
    remind_on = today + dt.timedelta(days=cfg("expiry_remind_days"))
    for t in Transfer.objects.filter(status=TransferStatus.ISSUED, valid_until=remind_on).select_related("from_org", "to_org", "member"):
        with transaction.atomic():
            _notify("transfers.expiring", _side_recipients(t.to_org) + [t.member], t, None, t.to_org,
                    valid_until=t.valid_until.isoformat())
        counts["expiring"] += 1
    for t in Transfer.objects.filter(status=TransferStatus.ISSUED, valid_until__lt=today):
        expire_transfer(actor=None, transfer=t, today=today)
        counts["expired"] += 1
    for t in Transfer.objects.filter(status=TransferStatus.LEFT, receipt_warned=False):
        counts["receipt"] += warn_receipt_overdue(actor=None, transfer=t, today=today)
    for rec in AwayRecord.objects.filter(closed_on__isnull=True).select_related("member", "org"):
        for rule, _level, message in away_findings(rec, today):
            if rule in ("R2", "R4") and (rec.warned_on is None or rec.warned_on <= same_day_months_later(today, -1)):
                with transaction.atomic():
                    AwayRecord.objects.filter(pk=rec.pk).update(warned_on=today)
                    notify(recipients=[RoleIn(rec.org, Role.SECRETARY)], kind="transfers.no_contact",
                           context={"member": rec.member.name, "finding": message, "record_id": rec.pk}, org=rec.org)
                counts["no_contact"] += 1
            if rule in ("R3", "R5") and rec.member.state == RecordState.ACTIVE and not MembershipCase.objects.filter(
                    member=rec.member, kind=CaseKind.STOP).exclude(status=CaseStatus.DISMISSED).exists():
                open_case(actor=None, member=rec.member, kind=CaseKind.STOP, basis=f"{rule}: {message}", record=rec, on=today)
                counts["cases"] += 1
    limit = add_years(today, -cfg("stop_to_removal_years"))
    for c in MembershipCase.objects.filter(kind=CaseKind.STOP, status=CaseStatus.DECIDED, decided_on__lte=limit).select_related("member"):
        if c.member.state == RecordState.ACTIVE and not MembershipCase.objects.filter(member=c.member, kind=CaseKind.LAPSED).exists():
            open_case(actor=None, member=c.member, kind=CaseKind.LAPSED, record=c.record, on=today,
                      basis=_("Membership stopped on %(d)s and still unreachable after %(n)s years (art. 24): review removal as self-lapsed.") % {"d": c.decided_on, "n": cfg("stop_to_removal_years")})
            counts["cases"] += 1
    return counts
