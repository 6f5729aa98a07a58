"""Dues profiles (category and base, art. 1–6 and 10) with their history, the annual re-base
reminder, the profile's warnings and the amount a member owes for a month."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.models import Role
from dangjian.members.api import Member, RecordState

from .. import rates
from ..models import (
    BASE_CATEGORIES,
    MONTHLY_BASE_CATEGORIES,
    QUARTERLY_BASE_CATEGORIES,
    BillStatus,
    ChangeReason,
    DuesBill,
    DuesCategory,
    DuesProfile,
    DuesProfileChange,
    HardshipApproval,
    HardshipStatus,
)
from ..months import label, month_start, months_between
from ._common import branch_of, rebase_month, stale_base_months


def _validate_profile(category: str, base, fixed) -> None:
    if category not in DuesCategory.values:
        raise ValidationError({"category": ValidationError(_("Unknown dues category."), code="unknown_category")})
    if category in BASE_CATEGORIES and base is None:
        raise ValidationError({"base": ValidationError(_("A monthly base is needed for this dues category (art. 1 and 5)."), code="base_required")})
    if base is not None and rates.money(base) < 0:
        raise ValidationError({"base": ValidationError(_("The monthly base cannot be negative."), code="negative_base")})
    if category == DuesCategory.FARMER:
        lo, hi = rates.farmer_range()
        if fixed is None or not lo <= rates.money(fixed) <= hi:
            raise ValidationError({"fixed_amount": ValidationError(_("A farmer pays %(lo)s–%(hi)s yuan a month (art. 6).") % {"lo": lo, "hi": hi}, code="farmer_amount_out_of_range")})


def quarter_start(d: dt.date) -> dt.date:
    return dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1)


@transaction.atomic
def set_profile(*, actor, member: Member, category: str, base=None, fixed_amount=None, effective_month: dt.date,
                reason: str = ChangeReason.INITIAL, note: str = "", today: dt.date | None = None,
                quarter_income=None) -> DuesProfile:
    """Create or change a member's dues profile from ``effective_month`` on, keeping the history.

    中组发〔2008〕3号 art. 1–6 (base and category), art. 10 (a salary change applies from the month
    the new salary is paid) and the practice "年初核定，年内一般不变动" (annual re-base, DOMAIN §3,
    conflicting → both: reason ``annual`` or ``salary``). Unpaid bills from that month on are
    recomputed; paid bills are never changed.

    * Annual salary (年薪制, art. 3): the base is the pay actually received in ``effective_month``,
      entered month by month (reason ``monthly_pay``); [block] a month that has not begun — its pay
      cannot have been received. A month without an entry keeps the last entered pay and
      ``profile_warnings`` says so until the month's pay is entered (the bill is then recomputed).
    * Self-employed / without fixed monthly income (个体, art. 4): the base is the previous
      quarter's monthly average net income — give ``base`` (the average) or ``quarter_income`` (the
      quarter's total, divided by 3 here), not two different figures; re-assessed each quarter
      (reason ``quarterly``; ``profile_warnings`` says when a quarter is missing).

    A change entered for an earlier month than the profile's latest one (a late correction) is kept
    in the history and re-prices the unpaid bills it governs, but the profile keeps showing the
    latest version."""
    policy.authorize(actor, "dues", "configure", member)
    today = today or timezone.localdate()
    effective_month = month_start(effective_month)
    if category == DuesCategory.SELF_EMPLOYED and quarter_income not in (None, ""):
        average = rates.quarter_average(quarter_income)
        if base not in (None, "") and rates.money(base) != average:
            raise ValidationError({"base": ValidationError(
                _("The monthly base %(b)s differs from the quarter's net income ÷ 3 (%(a)s): "
                  "give one of the two (art. 4).") % {"b": base, "a": average}, code="base_mismatch")})
        base = average
    if category in MONTHLY_BASE_CATEGORIES and effective_month > month_start(today):
        raise ValidationError({"effective_month": ValidationError(
            _("An annual-salary member's base is the pay actually received in the month "
              "(art. 3): %(m)s has not begun yet.") % {"m": label(effective_month)}, code="month_not_begun")})
    if category not in BASE_CATEGORIES:
        base = None
    if category != DuesCategory.FARMER:
        fixed_amount = None
    _validate_profile(category, base, fixed_amount)
    profile = DuesProfile.objects.select_for_update().filter(member=member).first()
    if profile is None:
        profile = DuesProfile(member=member)
        reason = ChangeReason.INITIAL
    profile.org_path = member.org_path
    if profile.pk is None or effective_month >= profile.effective_month:
        profile.category, profile.base, profile.fixed_amount = category, base, fixed_amount
        profile.effective_month, profile.base_set_on = effective_month, today
    profile.updated_at, profile.updated_by = timezone.now(), actor
    profile.save()
    DuesProfileChange.objects.create(profile=profile, category=category, base=base, fixed_amount=fixed_amount,
                                     effective_month=effective_month, reason=reason, note=note[:200], actor=actor)
    n = _recompute_unpaid(member, from_month=effective_month)
    audit.record(actor=actor, action="dues.profile_set", obj=profile, org_path=member.org_path,
                 data={"member": member.pk, "category": category, "base": str(base) if base is not None else None,
                       "fixed": str(fixed_amount) if fixed_amount is not None else None,
                       "from": label(effective_month), "reason": reason, "bills_recomputed": n})
    return profile


def sync_profile_paths(member_ids=None) -> int:
    """A profile follows its member's organization (art. 9: dues are paid to the branch holding
    the member's relationship), so after a transfer the new branch manages it. Bills and payments
    stay with the branch that issued/collected them."""
    from django.db.models import F

    qs = DuesProfile.objects.exclude(org_path=F("member__org_path"))
    if member_ids is not None:
        qs = qs.filter(member_id__in=list(member_ids))
    rows = list(qs.values_list("pk", "member__org_path"))
    for pk, path in rows:
        DuesProfile.objects.filter(pk=pk).update(org_path=path)
    return len(rows)


def rebase_reminders(*, today: dt.date | None = None) -> int:
    """[remind] the annual re-base (practice "年初核定，年内一般不变动", DOMAIN §3; [cfg]
    DANGJIAN_DUES_REBASE_MONTH, January): in that month, each branch secretary learns how many
    salaried/retired members still carry a base assessed before it. Returns the branches told."""
    from django.db.models import Count

    from dangjian.core.models import Organization
    from dangjian.notify.api import RoleIn, notify

    today = today or timezone.localdate()
    if today.month != rebase_month():
        return 0
    cutoff = dt.date(today.year, rebase_month(), 1)
    yearly = BASE_CATEGORIES - MONTHLY_BASE_CATEGORIES - QUARTERLY_BASE_CATEGORIES  # the others have their own cadence
    per_org = (DuesProfile.objects.filter(category__in=list(yearly), base_set_on__lt=cutoff,
                                          member__state=RecordState.ACTIVE)
               .values("member__org_id").annotate(n=Count("id")))
    per_branch: dict[int, int] = defaultdict(int)
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=[r["member__org_id"] for r in per_org]).select_related("parent")}
    for r in per_org:
        per_branch[branch_of(orgs[r["member__org_id"]]).pk] += r["n"]
    branches = {o.pk: o for o in Organization.objects.filter(pk__in=list(per_branch))}
    for pk, n in per_branch.items():
        with transaction.atomic():
            notify(recipients=[RoleIn(branches[pk], Role.SECRETARY)], kind="dues.rebase_due", org=branches[pk],
                   context={"org": branches[pk].name, "n": n, "year": today.year})
    return len(per_branch)


def profile_warnings(profile: DuesProfile | None, today: dt.date | None = None) -> list[str]:
    """[warn] base older than 13 months; [cfg] annual re-base due (January by default); for an
    annual-salary member, this month's pay not entered yet (art. 3); for a self-employed member,
    this quarter's base not assessed yet (art. 4)."""
    today = today or timezone.localdate()
    if profile is None or profile.category not in BASE_CATEGORIES:
        return []
    out = []
    this_month = month_start(today)
    if profile.category in MONTHLY_BASE_CATEGORIES and profile.effective_month < this_month:
        out.append(_("Annual salary: the pay actually received in %(m)s is not entered yet (art. 3); until it is, the bill "
                     "uses the pay of %(last)s.") % {"m": label(this_month), "last": label(profile.effective_month)})
    if profile.category in QUARTERLY_BASE_CATEGORIES and profile.effective_month < quarter_start(today):
        out.append(_("Self-employed: the base for the quarter from %(q)s (the previous quarter's monthly average net income, "
                     "art. 4) is not assessed yet; until it is, the bill uses the base from %(last)s.") % {
            "q": label(quarter_start(today)), "last": label(profile.effective_month)})
    if profile.category in MONTHLY_BASE_CATEGORIES | QUARTERLY_BASE_CATEGORIES:
        return out  # re-assessed every month / quarter: the yearly checks below do not apply
    age = months_between(month_start(profile.base_set_on), month_start(today))
    if age > stale_base_months():
        out.append(_("The dues base was assessed %(n)s months ago (more than %(max)s): check it.") % {"n": age, "max": stale_base_months()})
    elif today.month >= rebase_month() and profile.base_set_on < dt.date(today.year, rebase_month(), 1):
        out.append(_("The annual re-base for %(y)s is due.") % {"y": today.year})
    return out


def _snapshot(changes: list[DuesProfileChange], month: dt.date):
    """The profile version in force in ``month`` (changes sorted newest first)."""
    for c in changes:
        if c.effective_month <= month:
            return c
    return None


def _hardship(hardships: list[HardshipApproval], month: dt.date):
    for h in hardships:
        if h.status == HardshipStatus.APPROVED and h.from_month <= month and (h.to_month is None or month <= h.to_month):
            return h
    return None


def amount_for(member: Member, month: dt.date, *, changes=None, hardships=None) -> Decimal:
    """The dues of ``member`` for ``month`` (rates.monthly_dues on the profile version in force
    that month, replaced by an approved hardship amount, art. 7). Raises ValidationError when the
    member has no profile yet for that month."""
    if changes is None:
        changes = list(DuesProfileChange.objects.filter(profile__member=member).order_by("-effective_month", "-id"))
    if hardships is None:
        hardships = list(HardshipApproval.objects.filter(member=member, status=HardshipStatus.APPROVED))
    snap = _snapshot(changes, month)
    if snap is None:
        raise ValidationError(_("%(n)s has no dues profile for %(m)s yet.") % {"n": member.name, "m": label(month)}, code="no_profile")
    h = _hardship(hardships, month)
    return rates.monthly_dues(snap.category, base=snap.base, fixed=snap.fixed_amount,
                              hardship=h.amount if h is not None else None)


def _recompute_unpaid(member: Member, from_month: dt.date) -> int:
    changes = list(DuesProfileChange.objects.filter(profile__member=member).order_by("-effective_month", "-id"))
    hardships = list(HardshipApproval.objects.filter(member=member, status=HardshipStatus.APPROVED))
    n = 0
    for bill in DuesBill.objects.filter(member=member, month__gte=from_month, status__in=[BillStatus.UNPAID, BillStatus.EXEMPT],
                                        payment__isnull=True):
        amount = amount_for(member, bill.month, changes=changes, hardships=hardships)
        status = BillStatus.EXEMPT if amount == 0 else BillStatus.UNPAID
        if amount != bill.amount_due or status != bill.status:
            bill.amount_due, bill.status = amount, status
            bill.save(update_fields=["amount_due", "status"])
            n += 1
    return n
