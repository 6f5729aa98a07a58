"""Reduced or exempt dues for a member in hardship (art. 7): the branch's request, the
next-higher Party committee's decision."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.members.api import Member

from .. import rates
from ..models import (
    HardshipApproval,
    HardshipStatus,
)
from ..months import label, month_start
from .profiles import _recompute_unpaid


@transaction.atomic
def request_hardship(*, actor, member: Member, amount, reason: str, study_date: dt.date, study_record: str,
                     from_month: dt.date, to_month: dt.date | None = None) -> HardshipApproval:
    """Reduced or exempt dues for a member in hardship: the branch studies it first (the record is
    required), then the next-higher Party committee approves (中组发〔2008〕3号 art. 7)."""
    policy.authorize(actor, "dues", "configure", member)
    amount = rates.money(amount)
    if amount < 0:
        raise ValidationError({"amount": ValidationError(_("A hardship amount cannot be negative."), code="negative_amount")})
    if not (study_record or "").strip():
        raise ValidationError({"study_record": ValidationError(_("Record the branch's study of the request (art. 7)."), code="no_study_record")})
    from_month = month_start(from_month)
    to_month = month_start(to_month) if to_month else None
    if to_month and to_month < from_month:
        raise ValidationError({"to_month": ValidationError(_("The last month is before the first month."), code="end_before_start")})
    h = HardshipApproval.objects.create(member=member, amount=amount, reason=reason,
                                        study_date=study_date, study_record=study_record.strip(),
                                        from_month=from_month, to_month=to_month, requested_by=actor)
    audit.record(actor=actor, action="dues.hardship_request", obj=h, org_path=member.org_path,
                 data={"member": member.pk, "amount": str(amount), "from": label(from_month)})
    return h


@transaction.atomic
def decide_hardship(*, actor, hardship: HardshipApproval, approve: bool, approval_record: str,
                    today: dt.date | None = None) -> HardshipApproval:
    """The next-higher Party committee's decision on a hardship request (art. 7): an approval
    needs its record (document number / meeting); approved amounts replace the unpaid bills of the
    months it covers."""
    policy.authorize(actor, "dues", "approve_hardship", hardship)
    hardship = HardshipApproval.objects.select_for_update().get(pk=hardship.pk)
    if hardship.status != HardshipStatus.REQUESTED:
        raise ValidationError(_("This request has already been decided."), code="decided")
    if not (approval_record or "").strip():
        raise ValidationError({"approval_record": ValidationError(_("Record the approval of the next-higher Party committee (art. 7)."), code="no_approval_record")})
    hardship.status = HardshipStatus.APPROVED if approve else HardshipStatus.REJECTED
    hardship.approval_record = approval_record.strip()
    hardship.decided_by, hardship.decided_on = actor, today or timezone.localdate()
    hardship.save()
    n = _recompute_unpaid(hardship.member, hardship.from_month) if approve else 0
    audit.record(actor=actor, action="dues.hardship_decide", obj=hardship, org_path=hardship.org_path,
                 data={"member": hardship.member_id, "approved": approve, "bills_recomputed": n})
    return hardship
