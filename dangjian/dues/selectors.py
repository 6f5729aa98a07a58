"""Reads of the dues pages (no writes)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgStatus
from dangjian.members.api import Member, RecordState

from .models import ArrearsNotice, BillStatus, CaseStatus, DuesBill, DuesProfile, HardshipApproval, HardshipStatus, ReviewCase
from .months import month_start_offset
from .services import arrears_streaks, profile_warnings, review_months, sync_profile_paths

BILLING_KINDS = [k.value for k in MEMBER_HOLDING_KINDS if k.value != "party_group"]


def _money(value) -> Decimal:
    """A database sum as yuan with two places (SQLite sums decimals with spurious digits)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def members_of(org):
    return Member.objects.filter(org_path__startswith=org.path, state=RecordState.ACTIVE).order_by("org_path", "name", "id")


SHOW_CHOICES = [("", _("Everyone")), ("unpaid", _("Unpaid this month")), ("paid", _("Paid this month")),
                ("noprofile", _("Without a dues profile"))]


def filter_members(members, month: dt.date, show: str):
    """The branch page's filter: everyone, unpaid / paid for ``month``, or without a profile."""
    if show == "unpaid":
        return members.filter(pk__in=DuesBill.objects.filter(month=month, status__in=[BillStatus.UNPAID, BillStatus.EXCUSED])
                              .values("member_id"))
    if show == "paid":
        return members.filter(pk__in=DuesBill.objects.filter(month=month, status=BillStatus.PAID).values("member_id"))
    if show == "noprofile":
        return members.filter(dues_profile__isnull=True)
    return members


def arrears_for(member_ids, month: dt.date) -> dict[int, int]:
    """Per member: consecutive unpaid months ending with the month before ``month`` (the current
    month), as the arrears job counts them."""
    window = month_start_offset(month, -(review_months() + 7))
    rows: dict[int, list] = defaultdict(list)
    for mid, m, status in (DuesBill.objects.filter(member_id__in=list(member_ids), month__gte=window, month__lt=month)
                           .order_by("member_id", "-month").values_list("member_id", "month", "status")):
        rows[mid].append((m, status))
    return {mid: arrears_streaks(bills, month)[0] for mid, bills in rows.items()}


def escalations_for(streaks: dict[int, int], this_month: dt.date) -> dict[int, ArrearsNotice]:
    """Per member: the escalation of the *current* arrears episode to the superior committee, if
    it was sent (``services._escalate``); an episode of ``n`` months started ``n`` months before
    this month."""
    wanted = {mid: month_start_offset(this_month, -n) for mid, n in streaks.items() if n >= 3}
    if not wanted:
        return {}
    cond = Q()
    for mid, since in wanted.items():
        cond |= Q(member_id=mid, since_month=since)
    return {a.member_id: a for a in ArrearsNotice.objects.filter(cond, level=3, escalated_at__isnull=False)
            .select_related("escalated_to")}


def branch_rows(members, month: dt.date, this_month: dt.date) -> list[dict]:
    """One row per member of the page: profile, the month's bill, arrears months."""
    members = list(members)
    ids = [m.pk for m in members]
    sync_profile_paths(ids)
    bills = {b.member_id: b for b in DuesBill.objects.filter(member_id__in=ids, month=month).select_related("payment")}
    profiles = {p.member_id: p for p in DuesProfile.objects.filter(member_id__in=ids)}
    arrears = arrears_for(ids, this_month)
    return [{"m": m, "bill": bills.get(m.pk), "profile": profiles.get(m.pk), "arrears": arrears.get(m.pk, 0),
             "warnings": profile_warnings(profiles.get(m.pk))} for m in members]


def month_totals(org, month: dt.date) -> dict:
    agg = DuesBill.objects.filter(org_path__startswith=org.path, month=month).aggregate(
        billed=Count("id"), paid=Count("id", filter=Q(status=BillStatus.PAID)),
        unpaid=Count("id", filter=Q(status__in=[BillStatus.UNPAID, BillStatus.EXCUSED])),
        due=Sum("amount_due"), received=Sum("amount_due", filter=Q(status=BillStatus.PAID)))
    agg["due"] = _money(agg["due"])
    agg["received"] = _money(agg["received"])
    return agg


def summary_by_branch(org, month: dt.date) -> list[dict]:
    """Totals of ``month`` per billing organization (branch, general branch, primary committee) of
    ``org``'s subtree; Party-group members count in their branch."""
    branches = list(Organization.objects.filter(path__startswith=org.path, kind__in=BILLING_KINDS,
                                                status=OrgStatus.ACTIVE).order_by("path").only("id", "name", "path", "kind"))
    rows = {b.path: {"org": b, "billed": 0, "paid": 0, "due": Decimal("0.00"), "received": Decimal("0.00")} for b in branches}
    by_len = sorted(rows, key=len, reverse=True)
    agg = (DuesBill.objects.filter(org_path__startswith=org.path, month=month).values("org_path")
           .annotate(billed=Count("id"), paid=Count("id", filter=Q(status=BillStatus.PAID)), due=Sum("amount_due"),
                     received=Sum("amount_due", filter=Q(status=BillStatus.PAID))))
    for a in agg:
        target = next((p for p in by_len if a["org_path"].startswith(p)), None)
        if target is None:
            continue
        r = rows[target]
        r["billed"] += a["billed"]
        r["paid"] += a["paid"]
        r["due"] += _money(a["due"])
        r["received"] += _money(a["received"])
    return list(rows.values())


def open_cases(scope):
    return scope.filter(ReviewCase.objects.filter(status=CaseStatus.OPEN)).select_related("member", "member__org").order_by("-opened_at")


def pending_hardships(scope):
    return (scope.filter(HardshipApproval.objects.filter(status=HardshipStatus.REQUESTED))
            .select_related("member", "member__org").order_by("requested_at"))


def member_status(member, this_month: dt.date) -> dict:
    """The member's dues in a nutshell (member panel, 'my dues')."""
    sync_profile_paths([member.pk])
    profile = DuesProfile.objects.filter(member=member).first()
    bills = list(DuesBill.objects.filter(member=member).select_related("payment").order_by("-month")[:24])
    arrears = arrears_streaks([(b.month, b.status) for b in bills], this_month)[0]
    unpaid = [b for b in bills if b.status == BillStatus.UNPAID]
    return {"profile": profile, "bills": bills, "arrears": arrears, "unpaid_count": len(unpaid),
            "unpaid_total": sum((b.amount_due for b in unpaid), Decimal("0.00")),
            "warnings": profile_warnings(profile), "payments": list(member.dues_payments.order_by("-paid_on", "-id")[:12])}
