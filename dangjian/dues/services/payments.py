"""Payments (art. 11–14), at the home branch and at a flowing member's inflow organization (art. 9)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.models import Role
from dangjian.members.api import Member

from .. import rates
from ..models import (
    BillStatus,
    DuesBill,
    DuesPayment,
    Payer,
)
from ..months import label, month_start, month_start_offset, months_between
from ._common import back_payment_months, branch_of, centre_threshold, max_advance_months
from .bills import create_bill

ALLOWED_KINDS = ("regular", "voluntary")


def record_payment(*, actor, member: Member, first_month: dt.date | None, months: int = 1, method: str,
                   paid_on: dt.date, reference: str = "", payer: str = Payer.MEMBER, written_consent: str = "",
                   branch_consent: str = "", voluntary_extra=Decimal("0"), kind: str = "regular",
                   today: dt.date | None = None, collected_by=None) -> tuple[DuesPayment, list[str]]:
    """Record one payment of dues (中组发〔2008〕3号 art. 11–14). Returns (payment, warnings).

    * [block] anything but regular dues and a voluntary extra ("special dues", art. 14);
    * [block] the organization paying for the member (垫交, art. 14); a deduction from pay (扣缴)
      only with the member's written consent recorded;
    * pay monthly; several months in advance only with the branch's consent recorded, at most a
      quarter ([cfg] DANGJIAN_DUES_MAX_ADVANCE_MONTHS) (art. 12);
    * [warn] back payment older than 6 months (art. 12); [block] months before admission (art. 8);
      [block] a month already paid or exempt;
    * a voluntary extra ≥1000 yuan is flagged "remit wholly to the Centre" (art. 11) with a reminder.
    """
    policy.authorize(actor, "dues", "record", member)
    return _record_payment(actor=actor, member=member, first_month=first_month, months=months, method=method, paid_on=paid_on,
                           reference=reference, payer=payer, written_consent=written_consent, branch_consent=branch_consent,
                           voluntary_extra=voluntary_extra, kind=kind, today=today, collected_by=collected_by)


def _record_payment(*, actor, member: Member, first_month: dt.date | None, months: int, method: str, paid_on: dt.date,
                    reference: str, payer: str, written_consent: str, branch_consent: str, voluntary_extra, kind: str,
                    today: dt.date | None, collected_by) -> tuple[DuesPayment, list[str]]:
    """:func:`record_payment` once its caller has asserted the actor (the home branch's
    ``dues.record``, or the inflow organization's ``flowing_in.collect_dues``)."""
    today = today or timezone.localdate()
    warnings: list[str] = []
    if kind not in ALLOWED_KINDS:
        raise ValidationError(_("Only regular dues and voluntary extra payments may be recorded: no other "
                                "\"special dues\" may be levied (中组发〔2008〕3号 art. 14)."), code="special_dues")
    if payer == Payer.ORGANISATION:
        raise ValidationError({"payer": ValidationError(_("A Party organization must not pay dues on a member's behalf (垫交, art. 14)."), code="paid_by_organization")})
    if payer == Payer.DEDUCTION and not (written_consent or "").strip():
        raise ValidationError({"written_consent": ValidationError(_("Dues may be deducted from pay only with the member's written consent (art. 14): record it."), code="no_written_consent")})
    if payer not in Payer.values:
        raise ValidationError({"payer": ValidationError(_("Unknown payer."), code="unknown_payer")})
    voluntary_extra = rates.money(voluntary_extra or 0)
    if voluntary_extra < 0:
        raise ValidationError({"voluntary_extra": ValidationError(_("A voluntary extra cannot be negative."), code="negative_extra")})
    if months < 0:
        raise ValidationError({"months": ValidationError(_("The number of months cannot be negative."), code="negative_months")})
    if months == 0 and voluntary_extra == 0:
        raise ValidationError({"months": ValidationError(_("Nothing to record: no month and no voluntary extra."), code="nothing_to_record")})
    if months and first_month is None:
        raise ValidationError({"first_month": ValidationError(_("Choose the first month paid."), code="no_first_month")})
    if paid_on > today:
        raise ValidationError({"paid_on": ValidationError(_("The payment date is in the future."), code="in_future")})
    this_month = month_start(today)
    covered = [month_start_offset(month_start(first_month), i) for i in range(months)] if months else []
    ahead = [m for m in covered if m > this_month]
    if ahead and not (branch_consent or "").strip():
        raise ValidationError({"branch_consent": ValidationError(_("Paying in advance (quarterly) needs the branch's consent (art. 12): record it."), code="no_branch_consent")})
    if len(ahead) > max_advance_months():
        raise ValidationError({"months": ValidationError(_("At most %(n)s months may be paid in advance (a quarter, art. 12).") % {"n": max_advance_months()}, code="too_far_ahead")})
    late = [m for m in covered if months_between(m, this_month) > back_payment_months()]
    if late:
        warnings.append(_("Back payment for %(m)s is more than %(n)s months late (art. 12 allows back payment generally within 6 months).")
                        % {"m": ", ".join(label(m) for m in late), "n": back_payment_months()})
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()  # one payment of a member at a time
        bills = []
        for m in covered:
            bill = create_bill(member=member, month=m)
            bill = DuesBill.objects.select_for_update().get(pk=bill.pk)
            if bill.status == BillStatus.PAID:
                raise ValidationError(_("%(m)s is already paid.") % {"m": label(m)}, code="already_paid")
            if bill.status == BillStatus.EXEMPT:
                raise ValidationError(_("%(m)s is exempt (approved hardship): nothing to pay.") % {"m": label(m)}, code="exempt")
            bills.append(bill)
        dues_amount = sum((b.amount_due for b in bills), Decimal("0"))
        remit = voluntary_extra >= centre_threshold()
        p = DuesPayment.objects.create(
            member=member, paid_on=paid_on, method=method, reference=reference[:64],
            payer=payer, written_consent=(written_consent or "").strip()[:200], first_month=covered[0] if covered else None,
            months=months, dues_amount=dues_amount, voluntary_extra=voluntary_extra, total=dues_amount + voluntary_extra,
            remit_to_centre=remit, advance=bool(ahead), branch_consent=(branch_consent or "").strip()[:200],
            late=bool(late), recorded_by=actor, collected_by=collected_by)
        p.receipt_no = f"DF{paid_on:%Y}{p.pk:08d}"
        p.save(update_fields=["receipt_no"])
        DuesBill.objects.filter(pk__in=[b.pk for b in bills]).update(status=BillStatus.PAID, payment=p)
        if remit:
            warnings.append(_("A single voluntary payment of %(a)s yuan (≥%(t)s) must be remitted wholly to the Centre (art. 11).")
                            % {"a": voluntary_extra, "t": centre_threshold()})
            from dangjian.notify.api import RoleIn, notify

            branch = branch_of(member.org)
            notify(recipients=[RoleIn(branch, Role.SECRETARY)] + ([actor] if actor else []), kind="dues.remit_centre",
                   context={"member": member.name, "amount": str(voluntary_extra), "receipt": p.receipt_no, "payment_id": p.pk},
                   org=branch, actor=actor)
        audit.record(actor=actor, action="dues.payment_record", obj=p, org_path=member.org_path,
                     data={"member": member.pk, "months": [label(m) for m in covered], "total": str(p.total),
                           "method": method, "payer": payer, "advance": bool(ahead), "late": bool(late), "remit": remit,
                           "collected_by": collected_by.pk if collected_by else None})
    return p, warnings


def record_inflow_payment(*, actor, record, first_month: dt.date, months: int, method: str, paid_on: dt.date,
                          reference: str = "", today: dt.date | None = None) -> tuple[DuesPayment, list[str]]:
    """Dues paid by a flowing member at the inflow organization (中组发〔2008〕3号 art. 9: "holders of
    the 流动党员活动证 may pay at the inflow organisation"). [block] without a 活动证 number on the
    flowing record, or when the record is closed; the member pays in person (no 垫交, no
    deduction); the bills are the home branch's (they become paid there, so no arrears), the
    payment names the collecting organization, and the home branch's secretary is told."""
    from dangjian.notify.api import RoleIn, notify
    from dangjian.transfers.api import AwayKind

    policy.authorize(actor, "flowing_in", "collect_dues", record.inflow_path or "")
    if record.kind != AwayKind.FLOWING or record.closed_on or record.inflow_org_id is None:
        raise ValidationError(_("Only a member registered as flowing in to this organization pays dues here."), code="not_flowing_in")
    if not (record.activity_cert_no or "").strip():
        raise ValidationError(_("Only a holder of the 流动党员活动证 pays dues at the inflow organization (art. 9): "
                                "the home branch records the certificate number first."), code="no_activity_cert")
    with transaction.atomic():
        p, warnings = _record_payment(actor=actor, member=record.member, first_month=first_month, months=months, method=method,
                                      paid_on=paid_on, reference=reference, payer=Payer.MEMBER, written_consent="",
                                      branch_consent="", voluntary_extra=Decimal("0"), kind="regular", today=today,
                                      collected_by=record.inflow_org)  # paying ahead needs the home branch's consent
        branch = branch_of(record.member.org)
        notify(recipients=[RoleIn(branch, Role.SECRETARY)], kind="dues.paid_at_inflow", org=branch, actor=actor,
               channels=("inbox",), context={"member": record.member.name, "org": record.inflow_org.name, "total": str(p.total),
                                             "receipt": p.receipt_no, "payment_id": p.pk})
    return p, warnings
