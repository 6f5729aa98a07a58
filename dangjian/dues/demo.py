"""Demo data of the dues app: a dues profile for every active member of the demo county (bulk),
and for the demo town the bills of the last six months and this month, mostly paid, with a few
members in arrears in the demo branch (1, 3 and 6 months: the last one gets a review case)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dangjian.members.api import Member, RecordState

from . import rates
from .models import BillStatus, DuesBill, DuesPayment, DuesProfile, DuesProfileChange
from .months import month_start, month_start_offset, months_between
from .services import default_category

FARMER_AMOUNTS = [Decimal("0.20"), Decimal("0.50"), Decimal("1.00")]


def _profile_values(member, rng):
    cat = default_category(member)
    base = fixed = None
    if cat == "salaried":
        base = Decimal(rng.randrange(2600, 12500, 10))
    elif cat == "retired":
        base = Decimal(rng.randrange(2200, 7000, 10))
    elif cat == "farmer":
        fixed = rng.choice(FARMER_AMOUNTS)
    return cat, base, fixed


def seed(ctx) -> None:
    today = ctx.today or timezone.localdate()
    this = month_start(today)
    year_start = dt.date(this.year, 1, 1)
    rng = ctx.rng
    county = ctx.orgs.get("county") or ctx.orgs.get("town")
    town, branch = ctx.orgs.get("town"), ctx.orgs.get("branch")
    if county is None:
        return
    members = list(Member.objects.filter(org_path__startswith=county.path, state=RecordState.ACTIVE)
                   .only("id", "org_path", "category", "joined_on", "name", "user_id").order_by("id"))
    profiles, snaps = [], {}
    for m in members:
        cat, base, fixed = _profile_values(m, rng)
        eff = max(year_start, month_start(m.joined_on))
        profiles.append(DuesProfile(member_id=m.pk, org_path=m.org_path, category=cat, base=base, fixed_amount=fixed,
                                    effective_month=eff, base_set_on=dt.date(this.year, 1, rng.randint(5, 25)) if this.month > 1 else today))
        snaps[m.pk] = (cat, base, fixed, eff)
    profiles = DuesProfile.objects.bulk_create(profiles, batch_size=2000)
    DuesProfileChange.objects.bulk_create(
        [DuesProfileChange(profile_id=p.pk, category=p.category, base=p.base, fixed_amount=p.fixed_amount,
                           effective_month=p.effective_month, reason="annual", note="年初核定")
         for p in profiles], batch_size=2000)
    ctx.say(f"dues: {len(profiles)} dues profiles")
    if town is None:
        return
    # bills and payments of the demo town: the last six months and this month
    months = [month_start_offset(this, -i) for i in range(6, -1, -1)]
    arrears_plan: dict[int, int] = {}
    if branch is not None:
        plain = [m for m in members if m.org_path.startswith(branch.path) and m.user_id is None]
        for n, m in zip((1, 1, 3, 6), plain[-4:], strict=False):
            arrears_plan[m.pk] = n
    bills, payments = [], []
    seq = 0
    for m in members:
        if not m.org_path.startswith(town.path):
            continue
        cat, base, fixed, eff = snaps[m.pk]
        amount = rates.monthly_dues(cat, base=base, fixed=fixed)
        unpaid_from = arrears_plan.get(m.pk)
        random_late = m.pk not in arrears_plan and rng.random() < 0.05 and (branch is None or not m.org_path.startswith(branch.path))
        for mo in months:
            if mo < month_start(m.joined_on) or mo < eff:
                continue
            behind = months_between(mo, this)
            if unpaid_from is not None:
                paid = behind > unpaid_from
            else:
                paid = mo < this or rng.random() < 0.6  # this month: most have paid already
                if random_late and behind <= 1:
                    paid = False
            bill = DuesBill(member_id=m.pk, org_path=m.org_path, month=mo, amount_due=amount,
                            status=BillStatus.EXEMPT if amount == 0 else (BillStatus.PAID if paid else BillStatus.UNPAID),
                            rule_version=rates.RULE_VERSION)
            if paid and amount > 0:
                seq += 1
                paid_on = min(today, mo + dt.timedelta(days=rng.randint(2, 20)))
                bill.payment = DuesPayment(member_id=m.pk, org_path=m.org_path, receipt_no=f"DF{mo.year}D{seq:07d}",
                                           paid_on=paid_on, method=rng.choice(["cash", "transfer", "online"]), first_month=mo,
                                           months=1, dues_amount=amount, total=amount)
                payments.append(bill.payment)
            bills.append(bill)
    DuesPayment.objects.bulk_create(payments, batch_size=2000)
    for b in bills:
        if b.payment is not None:
            b.payment_id = b.payment.pk
    DuesBill.objects.bulk_create(bills, batch_size=2000)
    ctx.say(f"dues: {len(bills)} bills, {len(payments)} payments in {town.name}")
    if branch is not None and arrears_plan:
        from .services import run_arrears

        counts = run_arrears(today=today, org=branch)
        ctx.say(f"dues: arrears in {branch.name}: {counts}")
