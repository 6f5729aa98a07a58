"""Dues' shared pieces: the settled statuses, the [cfg] settings of the rules (中组发〔2008〕3号),
and who owes from when and which branch handles a member's dues."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from dangjian.core.models import OrgKind
from dangjian.members.api import Member

from ..models import (
    BillStatus,
    DuesCategory,
)
from ..months import month_start

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
