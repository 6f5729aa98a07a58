"""Party dues rules (中组发〔2008〕3号, rule version ``rates.RULE_VERSION``): every state change is
one function, one transaction, one audit row; refusals raise ValidationError with the article.

Permission checks (POLICY "dues") are the views' job; these functions trust their caller.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.models import OrgKind, Role
from dangjian.members.api import Member, RecordState

from . import rates
from .models import (
    BASE_CATEGORIES,
    MONTHLY_BASE_CATEGORIES,
    QUARTERLY_BASE_CATEGORIES,
    ArrearsNotice,
    BillStatus,
    CaseStatus,
    ChangeReason,
    DuesBill,
    DuesCategory,
    DuesPayment,
    DuesProfile,
    DuesProfileChange,
    HardshipApproval,
    HardshipStatus,
    Payer,
    ReviewCase,
)
from .months import label, month_start, month_start_offset, months_between

SETTLED = (BillStatus.PAID, BillStatus.EXEMPT)


def _cfg(name, default):
    return getattr(settings, name, default)


def back_payment_months() -> int:
    """Back payment (补交) generally within 6 months (art. 12); [cfg] DANGJIAN_DUES_BACKPAY_MONTHS."""
    return int(_cfg("DANGJIAN_DUES_BACKPAY_MONTHS", 6))


def max_advance_months() -> int:
    """Advance payment beyond a quarter is not provided for (art. 12, inferred); [cfg] DANGJIAN_DUES_MAX_ADVANCE_MONTHS."""
    return int(_cfg("DANGJIAN_DUES_MAX_ADVANCE_MONTHS", 3))


def centre_threshold() -> Decimal:
    """A single voluntary payment ≥1000 yuan goes wholly to the Centre (art. 11)."""
    return Decimal(str(_cfg("DANGJIAN_DUES_CENTRE_THRESHOLD", "1000")))


def rebase_month() -> int:
    """[cfg] DANGJIAN_DUES_REBASE_MONTH: annual re-base month, January by default (practice, DOMAIN §3)."""
    return int(_cfg("DANGJIAN_DUES_REBASE_MONTH", 1))


def stale_base_months() -> int:
    """[warn] a base older than 13 months (DOMAIN §11 Dues)."""
    return int(_cfg("DANGJIAN_DUES_STALE_BASE_MONTHS", 13))


def default_category(member: Member) -> str:
    """The dues category suggested by the member record's category."""
    return {
        "in_service": DuesCategory.SALARIED, "retired": DuesCategory.RETIRED, "farmer": DuesCategory.FARMER,
        "student": DuesCategory.STUDENT, "unemployed": DuesCategory.UNEMPLOYED,
    }.get(member.category, DuesCategory.SALARIED)


def billable_from(member: Member) -> dt.date:
    """The first month a member owes dues: the month the 支部大会 admitted them (art. 8; the
    platform records that date as ``Member.joined_on``)."""
    return month_start(member.joined_on)


def branch_of(org):
    """The organization whose secretary handles a member's dues: a Party group's parent branch."""
    return org.parent if org.kind == OrgKind.PARTY_GROUP and org.parent_id else org


# -- profiles -------------------------------------------------------------------------------------

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


# -- hardship (art. 7) ----------------------------------------------------------------------------

@transaction.atomic
def request_hardship(*, actor, member: Member, amount, reason: str, study_date: dt.date, study_record: str,
                     from_month: dt.date, to_month: dt.date | None = None) -> HardshipApproval:
    """Reduced or exempt dues for a member in hardship: the branch studies it first (the record is
    required), then the next-higher Party committee approves (中组发〔2008〕3号 art. 7)."""
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


# -- bills ----------------------------------------------------------------------------------------

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
    month are not billed (art. 8); members without a profile are counted, not billed."""
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


# -- payments -------------------------------------------------------------------------------------

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

    if record.kind != AwayKind.FLOWING or record.closed_on or record.inflow_org_id is None:
        raise ValidationError(_("Only a member registered as flowing in to this organization pays dues here."), code="not_flowing_in")
    if not (record.activity_cert_no or "").strip():
        raise ValidationError(_("Only a holder of the 流动党员活动证 pays dues at the inflow organization (art. 9): "
                                "the home branch records the certificate number first."), code="no_activity_cert")
    with transaction.atomic():
        p, warnings = record_payment(actor=actor, member=record.member, first_month=first_month, months=months, method=method,
                                     paid_on=paid_on, reference=reference, payer=Payer.MEMBER, today=today,
                                     collected_by=record.inflow_org)  # paying ahead needs the home branch's consent
        branch = branch_of(record.member.org)
        notify(recipients=[RoleIn(branch, Role.SECRETARY)], kind="dues.paid_at_inflow", org=branch, actor=actor,
               channels=("inbox",), context={"member": record.member.name, "org": record.inflow_org.name, "total": str(p.total),
                                             "receipt": p.receipt_no, "payment_id": p.pk})
    return p, warnings


# -- arrears (art. 13) ----------------------------------------------------------------------------

def arrears_streaks(bills_desc: list[tuple[dt.date, str]], before: dt.date) -> tuple[int, dt.date | None]:
    """Consecutive unpaid months ending with the month before ``before`` (bills newest first):
    (count, first month of the streak). Paid, exempt and excused months end the streak; so does a
    month without a bill."""
    n, start, expect = 0, None, month_start_offset(before, -1)
    for month, status in bills_desc:
        if month >= before:
            continue
        if month != expect or status != BillStatus.UNPAID:
            break
        n, start, expect = n + 1, month, month_start_offset(month, -1)
    return n, start


def review_months() -> int:
    return int(_cfg("DANGJIAN_DUES_REVIEW_MONTHS", 6))


ESCALATION_KINDS = (OrgKind.PRIMARY_COMMITTEE, OrgKind.TOWN_COMMITTEE, OrgKind.COUNTY_COMMITTEE, OrgKind.CITY_COMMITTEE,
                    OrgKind.PROVINCE_COMMITTEE)


def escalation_kinds() -> tuple[str, ...]:
    """[cfg] DANGJIAN_DUES_ESCALATE_KINDS: which superior organizations count as "Party committee"
    for the escalated 3-month warning — by default every committee kind (a 总支 or a Party group is
    not a committee and is passed over)."""
    return tuple(str(k) for k in _cfg("DANGJIAN_DUES_ESCALATE_KINDS", ESCALATION_KINDS))


def superior_committee(branch, _cache: dict | None = None):
    """The nearest superior Party committee of ``branch`` that has an org admin to tell: the
    closest active ancestor of an escalation kind with at least one active ``org_admin`` role —
    for a village branch, the town Party committee; if that committee has no admin account, the
    next one up (a warning addressed to nobody would be lost). None when there is none.

    (Supervision tells "the nearest publisher" with its own private helper and transfers picks its
    approving committee with another; core offers no shared one, see docs/notes/dues.md.)"""
    from dangjian.core.models import Organization, OrgStatus, RoleAssignment

    if _cache is not None and branch.pk in _cache:
        return _cache[branch.pk]
    ancestors = list(Organization.objects.filter(path__in=branch.ancestor_paths()[:-1], kind__in=escalation_kinds(),
                                                 status=OrgStatus.ACTIVE).order_by("-depth"))
    staffed = set(RoleAssignment.objects.filter(org__in=ancestors, role=Role.ORG_ADMIN, active=True)
                  .values_list("org_id", flat=True))
    found = next((a for a in ancestors if a.pk in staffed), None)
    if _cache is not None:
        _cache[branch.pk] = found
    return found


def run_arrears(*, today: dt.date | None = None, org=None) -> dict:
    """The arrears check (daily, idempotent): [warn] 1 month, [warn escalated] 3 months — to the
    member (if they have an account) and the branch secretary, once per streak; the 3-month
    warning also goes, once per streak, to the org admins of the nearest superior Party committee
    (``superior_committee``: for a village branch the town committee; DOMAIN §11 Dues "[warn,
    escalated] 3 months", §11 Indices "warnings go to the responsible role (secretary, 组织委员,
    upper org)"; art. 13 of 中组发〔2008〕3号: six months lead to the self-lapse review); 6 consecutive
    unpaid months without an approved reason → one ReviewCase for the branch (art. 13: treated as
    self-lapsed only after criticism, a deadline and a decision of the 支部大会). The system never
    removes or changes a member."""
    from dangjian.notify.api import RoleIn, notify

    today = today or timezone.localdate()
    this_month = month_start(today)
    prev = month_start_offset(this_month, -1)
    counts = {"warn1": 0, "warn3": 0, "escalated": 0, "cases": 0}
    superiors: dict = {}
    base = DuesBill.objects.filter(member__state=RecordState.ACTIVE)
    if org is not None:
        base = base.filter(org_path__startswith=org.path)
    ids = list(base.filter(month=prev, status=BillStatus.UNPAID).values_list("member_id", flat=True))
    window = month_start_offset(this_month, -(review_months() + 1))
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        rows: dict[int, list] = defaultdict(list)
        for mid, month, status in (DuesBill.objects.filter(member_id__in=chunk, month__gte=window, month__lt=this_month)
                                   .order_by("member_id", "-month").values_list("member_id", "month", "status")):
            rows[mid].append((month, status))
        members = {m.pk: m for m in Member.objects.filter(pk__in=chunk).select_related("org", "org__parent", "user")}
        for mid, bills in rows.items():
            n, start = arrears_streaks(bills, this_month)
            if not n:
                continue
            member = members[mid]
            with transaction.atomic():
                counts_for = _arrears_for_member(member, n, start, notify, RoleIn, superiors)
            for k, v in counts_for.items():
                counts[k] += v
    return counts


def _arrears_for_member(member, n, start, notify, RoleIn, superiors: dict) -> dict:
    out = {"warn1": 0, "warn3": 0, "escalated": 0, "cases": 0}
    branch = branch_of(member.org)
    levels = [lvl for lvl in (1, 3) if n >= lvl]
    new_levels = []
    for lvl in levels:
        try:
            with transaction.atomic():
                ArrearsNotice.objects.create(member=member, level=lvl, since_month=start)
            new_levels.append(lvl)
        except IntegrityError:
            pass
    if new_levels:
        lvl = max(new_levels)
        recipients = [RoleIn(branch, Role.SECRETARY)] + ([member.user] if member.user_id else [])
        notify(recipients=recipients, kind=f"dues.arrears_{lvl}", org=branch,
               context={"member": member.name, "months": n, "since": label(start)})
        out[f"warn{lvl}"] += 1
    if n >= 3:
        out["escalated"] += _escalate(member, branch, n, start, notify, RoleIn, superiors)
    if n >= review_months() and not ReviewCase.objects.filter(member=member, since_month=start).exists():
        case = ReviewCase.objects.create(member=member, since_month=start, months_unpaid=n)
        notify(recipients=[RoleIn(branch, Role.SECRETARY)], kind="dues.review_case", org=branch,
               context={"member": member.name, "months": n, "since": label(start), "case_id": case.pk})
        audit.record(actor=None, action="dues.review_case_open", obj=case, org_path=member.org_path,
                     data={"member": member.pk, "months": n, "since": label(start)})
        out["cases"] += 1
    return out


def _escalate(member, branch, n, start, notify, RoleIn, superiors: dict) -> int:
    """The escalated 3-month warning to the nearest superior committee's org admins, once per
    arrears episode: the episode's level-3 ``ArrearsNotice`` row is locked and marked. A streak
    whose committee has no admin yet stays unmarked and is told when one is appointed."""
    notice = (ArrearsNotice.objects.select_for_update()
              .filter(member=member, level=3, since_month=start, escalated_at__isnull=True).first())
    if notice is None:
        return 0
    superior = superior_committee(branch, superiors)
    if superior is None:
        return 0
    notify(recipients=[RoleIn(superior, Role.ORG_ADMIN)], kind="dues.arrears_3_superior", org=superior,
           context={"member": member.name, "branch": branch.name, "months": n, "since": label(start)})
    notice.escalated_to, notice.escalated_at = superior, timezone.now()
    notice.save(update_fields=["escalated_to", "escalated_at"])
    audit.record(actor=None, action="dues.arrears_escalated", obj=notice, org_path=member.org_path,
                 data={"member": member.pk, "months": n, "since": label(start), "to": superior.pk})
    return 1


@transaction.atomic
def decide_case(*, actor, case: ReviewCase, meeting_date: dt.date, decision: str) -> ReviewCase:
    """Record the 支部大会's decision on a 6-month arrears case (art. 13; 教育管理条例 art. 31):
    a person records what the meeting decided; the member's record is not touched here (any
    removal follows its own procedure and upper approval)."""
    case = ReviewCase.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("This case has already been decided."), code="decided")
    if not (decision or "").strip():
        raise ValidationError({"decision": ValidationError(_("Record what the branch general meeting decided."), code="no_decision")})
    if meeting_date > timezone.localdate():
        raise ValidationError({"meeting_date": ValidationError(_("The meeting date is in the future."), code="in_future")})
    case.status, case.meeting_date, case.decision = CaseStatus.DECIDED, meeting_date, decision.strip()
    case.decided_by, case.decided_at = actor, timezone.now()
    case.save()
    audit.record(actor=actor, action="dues.review_case_decide", obj=case, org_path=case.org_path,
                 data={"member": case.member_id, "meeting_date": meeting_date.isoformat()})
    return case


# -- publicity ------------------------------------------------------------------------------------

def publicity_totals(org, month: dt.date) -> dict:
    """Branch-level totals of a month (no per-person amounts): members billed, paid, amounts."""
    from django.db.models import Count, Q, Sum

    qs = DuesBill.objects.filter(org_path__startswith=org.path, month=month)
    agg = qs.aggregate(billed=Count("id"), paid=Count("id", filter=Q(status=BillStatus.PAID)),
                       exempt=Count("id", filter=Q(status=BillStatus.EXEMPT)),
                       due=Sum("amount_due"), received=Sum("amount_due", filter=Q(status=BillStatus.PAID)))
    extra = DuesPayment.objects.filter(org_path__startswith=org.path, paid_on__year=month.year,
                                       paid_on__month=month.month).aggregate(s=Sum("voluntary_extra"))["s"]
    def yuan(v):
        return Decimal(str(v or 0)).quantize(Decimal("0.01"))

    return {"billed": agg["billed"], "paid": agg["paid"], "exempt": agg["exempt"],
            "due": yuan(agg["due"]), "received": yuan(agg["received"]), "extra": yuan(extra)}


def publish_totals(*, actor, org, month: dt.date):
    """Post the month's branch-level dues totals to the publicity board as a draft notice
    (三务公开; the secretary approves it there). Totals only: no member's name or amount."""
    try:
        from dangjian.publicity.api import create_notice
    except ImportError as exc:
        raise ValidationError(_("The publicity board is not available yet."), code="publicity_unavailable") from exc
    month = month_start(month)
    t = publicity_totals(org, month)
    if not t["billed"]:
        raise ValidationError(_("No dues bills for %(m)s: generate the bills first.") % {"m": label(month)}, code="no_bills")
    title = f"{org.name}{month.year}年{month.month}月党费收缴情况公示"
    body = (f"{month.year}年{month.month}月，{org.name}应缴党费党员{t['billed']}人，已缴{t['paid']}人，"
            f"免缴{t['exempt']}人；应缴党费合计{t['due']}元，已收{t['received']}元"
            + (f"；自愿多交党费{t['extra']}元" if t["extra"] else "") + "。\n"
            "依据《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）。")
    from django.core.exceptions import PermissionDenied

    with transaction.atomic():
        try:
            notice = create_notice(org=org, board="dues", title=title, body=body, actor=actor,
                                   source=f"dues:{org.pk}:{label(month)}")
        except PermissionDenied as exc:
            raise ValidationError(_("You may not post notices for this organization."), code="not_permitted") from exc
        audit.record(actor=actor, action="dues.publish", org_path=org.path, object_type="dues.month",
                     object_id=label(month), data={"org": org.pk, "month": label(month), "billed": t["billed"], "paid": t["paid"]})
    return notice
