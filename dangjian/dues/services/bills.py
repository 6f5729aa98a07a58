"""Monthly bills: one member's, a whole month's in bulk, and the branch's approved reason for an
unpaid month (art. 8, 13)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.members.api import Member, RecordState

from .. import rates
from ..models import (
    BillStatus,
    DuesBill,
    DuesProfileChange,
    HardshipApproval,
    HardshipStatus,
)
from ..months import label, month_start
from ._common import billable_from
from .profiles import amount_for, sync_profile_paths


@transaction.atomic
def create_bill(*, member: Member, month: dt.date) -> DuesBill:
    """One member's bill for one month (idempotent). [block] before the month the 支部大会
    admitted the member (art. 8)."""
    month = month_start(month)
    if month < billable_from(member):
        raise ValidationError(_("%(n)s owes no dues before %(m)s, the month the branch general meeting admitted them (art. 8).")
                              % {"n": member.name, "m": label(billable_from(member))}, code="before_admission")
    bill = DuesBill.objects.filter(member=member, month=month).first()
    if bill is not None:
        return bill
    amount = amount_for(member, month)
    return DuesBill.objects.create(member=member, month=month, amount_due=amount,
                                   status=BillStatus.EXEMPT if amount == 0 else BillStatus.UNPAID,
                                   rule_version=rates.RULE_VERSION)


def generate_bills(*, actor, month: dt.date, org=None) -> dict:
    """Bills of ``month`` for every active member (of ``org``'s subtree, or everyone) with a dues
    profile, in bulk and idempotently (one row per member and month). Members admitted after the
    month are not billed (art. 8); members without a profile are counted, not billed. Everyone's
    bills (``org`` None) are the system's (the monthly job): an empty path is in nobody's scope."""
    policy.authorize(actor, "dues", "record", org if org is not None else "")
    month = month_start(month)
    members = Member.objects.filter(state=RecordState.ACTIVE)
    if org is not None:
        members = members.filter(org_path__startswith=org.path)
    sync_profile_paths(members.values_list("pk", flat=True) if org is not None else None)
    counts = {"created": 0, "existing": 0, "no_profile": 0, "not_admitted": 0, "invalid": 0}
    with transaction.atomic():
        existing = set(DuesBill.objects.filter(month=month, member__in=members).values_list("member_id", flat=True))
        changes: dict[int, list] = defaultdict(list)
        for c in (DuesProfileChange.objects.filter(profile__member__in=members, effective_month__lte=month)
                  .select_related("profile").order_by("-effective_month", "-id")):
            changes[c.profile.member_id].append(c)
        hardships: dict[int, list] = defaultdict(list)
        for h in HardshipApproval.objects.filter(member__in=members, status=HardshipStatus.APPROVED):
            hardships[h.member_id].append(h)
        new = []
        for m in members.only("id", "org_path", "joined_on", "name").iterator(chunk_size=2000):
            if m.pk in existing:
                counts["existing"] += 1
                continue
            if month < billable_from(m):
                counts["not_admitted"] += 1
                continue
            if not changes.get(m.pk):
                counts["no_profile"] += 1
                continue
            try:
                amount = amount_for(m, month, changes=changes[m.pk], hardships=hardships.get(m.pk, []))
            except ValidationError:
                counts["invalid"] += 1
                continue
            new.append(DuesBill(member_id=m.pk, org_path=m.org_path, month=month, amount_due=amount,
                                status=BillStatus.EXEMPT if amount == 0 else BillStatus.UNPAID, rule_version=rates.RULE_VERSION))
        DuesBill.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        counts["created"] = len(new)
        audit.record(actor=actor, action="dues.bills_generate", org_path=org.path if org is not None else "",
                     object_type="dues.month", object_id=label(month), data={"month": label(month), **counts})
    return counts


@transaction.atomic
def excuse_bill(*, actor, bill: DuesBill, reason: str) -> DuesBill:
    """Record the branch's approved reason for an unpaid month (art. 13 "without good reason"):
    the month no longer counts towards the 6-month arrears review."""
    policy.authorize(actor, "dues", "record", bill)
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(_("Give the approved reason."), code="no_reason")})
    bill = DuesBill.objects.select_for_update().get(pk=bill.pk)
    if bill.status != BillStatus.UNPAID:
        raise ValidationError(_("Only an unpaid month can be excused."), code="not_unpaid")
    bill.status, bill.excuse = BillStatus.EXCUSED, reason.strip()[:200]
    bill.save(update_fields=["status", "excuse"])
    audit.record(actor=actor, action="dues.bill_excuse", obj=bill, org_path=bill.org_path,
                 data={"member": bill.member_id, "month": label(bill.month)})
    return bill
