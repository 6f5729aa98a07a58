"""Reads of the dues pages (no writes)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgStatus
from dangjian.core.policy import SELF
from dangjian.members.api import Member, RecordState

from .export import bills_for
from .models import ArrearsNotice, BillStatus, CaseStatus, DuesBill, DuesProfile, HardshipApproval, HardshipStatus, ReviewCase
from .months import month_start_offset
from .services import arrears_streaks, profile_warnings, review_months, sync_profile_paths

BILLING_KINDS = [k.value for k in MEMBER_HOLDING_KINDS if k.value != "party_group"]


def _money(value) -> Decimal:
    """A database sum as yuan with two places (SQLite sums decimals with spurious digits)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


# -- organizations and members the pages are about --------------------------------------------------

def staff_paths(scope, action: str = "view") -> list[str]:
    """The tops of this user's staff reach on dues for ``action`` (their own dues left out)."""
    return sorted({p for reach, p in scope.reaches("dues", action) if reach != SELF})


def org_in_reach(scope, pk: int, action: str = "view") -> Organization | None:
    """Organization ``pk`` if this user's dues reach for ``action`` covers it, else ``None``
    (missing and out of reach alike)."""
    org = Organization.objects.filter(pk=pk).first()
    if org is None or not scope.path_allows("dues", action, org.path):
        return None
    return org


def top_org(scope, action: str = "view") -> Organization | None:
    """The top organization of this user's dues reach; ``None`` for a user who only sees their
    own dues."""
    paths = staff_paths(scope, action)
    return Organization.objects.filter(path=paths[0]).first() if paths else None


def child_orgs(org, limit: int = 200):
    """The organization's direct children by name (the summary page's links)."""
    return Organization.objects.filter(parent=org).order_by("name")[:limit]


def billing_orgs(scope, action: str = "record"):
    """The billing organizations (branches, general branches, primary committees) in this
    user's dues reach for ``action``, by path (bill generation's choices)."""
    return Organization.objects.filter(scope.q_paths("dues", action, "path"), kind__in=BILLING_KINDS).order_by("path")


def member_in_reach(scope, pk: int, action: str):
    """The active member ``pk`` this user may ``action`` on dues (with the organization), or
    ``None`` for a missing one and one out of reach alike."""
    qs = Member.objects.filter(scope.q_paths("dues", action, "org_path", "user"), state=RecordState.ACTIVE)
    return qs.filter(pk=pk).select_related("org").first()


def own_member(user):
    """The signed-in user's own member record (with the organization), or ``None``."""
    return Member.objects.filter(user=user).select_related("org").first()


def profile_of(member) -> DuesProfile | None:
    return DuesProfile.objects.filter(member=member).first()


def scoped_profile_of(scope, member) -> DuesProfile | None:
    """The member's dues profile if this user may view it (the review case page), else ``None``."""
    return scope.filter(DuesProfile.objects.filter(member=member)).first()


def profile_changes(profile, limit: int = 50):
    """The profile's change log with the actors, as the model orders it."""
    return profile.changes.select_related("actor")[:limit]


def member_hardships(member, limit: int = 20):
    """The member's hardship requests with their deciders, as the model orders them."""
    return HardshipApproval.objects.filter(member=member).select_related("decided_by")[:limit]


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


def branch_members(org, month: dt.date, show: str):
    """The branch page's members (``members_of`` with ``filter_members``), with their organization."""
    return filter_members(members_of(org), month, show).select_related("org")


def arrears_members(org, month: dt.date):
    """The active members of ``org``'s subtree with an unpaid bill for ``month`` (the arrears
    page lists last month's), with their organization, by organization and name."""
    ids = (DuesBill.objects.filter(org_path__startswith=org.path, month=month, status=BillStatus.UNPAID,
                                   member__state=RecordState.ACTIVE).values_list("member_id", flat=True))
    return Member.objects.filter(pk__in=ids).select_related("org").order_by("org_path", "name")


def first_unpaid_bill(member) -> DuesBill | None:
    """The member's oldest unpaid bill, or ``None``."""
    return DuesBill.objects.filter(member=member, status=BillStatus.UNPAID).order_by("month").first()


def payment_bills(payment):
    """The bills a payment settled, by month (the receipt)."""
    return payment.bills.order_by("month")


def case_bills(case, limit: int = 24):
    """The member's bills since the review case's first unpaid month, by month."""
    return DuesBill.objects.filter(member=case.member, month__gte=case.since_month).order_by("month")[:limit]


def export_row_count(org, month: dt.date) -> int:
    """How many rows the month's export of ``org``'s subtree has (direct download or a job)."""
    return bills_for(org, month).count()


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


def open_cases(scope, org=None):
    """The open review cases this user may view (of ``org``'s subtree if given), newest first."""
    qs = scope.filter(ReviewCase.objects.filter(status=CaseStatus.OPEN)).select_related("member", "member__org").order_by("-opened_at")
    return qs if org is None else qs.filter(org_path__startswith=org.path)


def pending_hardships(scope, org=None):
    """The hardship requests awaiting a decision this user may view (of ``org``'s subtree if
    given), oldest first."""
    qs = (scope.filter(HardshipApproval.objects.filter(status=HardshipStatus.REQUESTED))
          .select_related("member", "member__org").order_by("requested_at"))
    return qs if org is None else qs.filter(org_path__startswith=org.path)


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
