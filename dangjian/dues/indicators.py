"""Dues' indicator and monitor for the registry of :mod:`dangjian.core.indicators` (issue 9 item 6).

* ``dues.paid_rate`` — of the bills of the subtree for the months the period touches (``month``
  from the first of ``start``'s month, before ``end``), the share that is paid, in per cent with
  one decimal (half up). Exempt bills (art. 7 hardship exemption) are left out; an unpaid bill
  with an approved reason (EXCUSED) is still unpaid. None when there is no bill to count. One
  aggregate query (``dues_bill_path_month`` index).
* ``dues.arrears`` — the arrears rule of the app's daily job (``services.arrears_streaks``, through
  ``selectors.arrears_for``): active members of the subtree with consecutive unpaid months ending
  with last month — [warn] from 1 month, escalated at 3, the 支部大会 review case at
  ``review_months()`` ([cfg] ``DANGJIAN_DUES_REVIEW_MONTHS``, default 6; 中组发〔2008〕3号 art. 13).
  Longest streak first; ``due`` is the first day of the month the review case opens, while the
  streak is below it. Three queries (who was unpaid last month, their streaks, their names).
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from dangjian.core.models import OrgKind
from dangjian.members.api import Member, RecordState

from .models import BillStatus, DuesBill
from .months import label, month_start, month_start_offset


def paid_rate(*, org, start: dt.date, end: dt.date) -> Decimal | None:
    agg = (DuesBill.objects.filter(org_path__startswith=org.path, month__gte=month_start(start), month__lt=end)
           .exclude(status=BillStatus.EXEMPT)
           .aggregate(billed=Count("id"), paid=Count("id", filter=Q(status=BillStatus.PAID))))
    if not agg["billed"]:
        return None
    return (Decimal(100 * agg["paid"]) / Decimal(agg["billed"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def arrears(*, org, today: dt.date):
    from dangjian.core.indicators import Finding

    from .selectors import arrears_for
    from .services import review_months

    this_month = month_start(today)
    ids = list(DuesBill.objects.filter(org_path__startswith=org.path, month=month_start_offset(this_month, -1),
                                       status=BillStatus.UNPAID, member__state=RecordState.ACTIVE)
               .values_list("member_id", flat=True))
    if not ids:
        return []
    streaks = {mid: n for mid, n in arrears_for(ids, this_month).items() if n}
    if not streaks:
        return []
    review = review_months()
    url = reverse("dues-arrears")
    out = []
    members = (Member.objects.filter(pk__in=list(streaks)).select_related("org")
               .only("id", "name", "org_path", "org__id", "org__kind", "org__parent_id"))
    for m in members:
        n = streaks[m.pk]
        since = month_start_offset(this_month, -n)
        branch_id = m.org.parent_id if m.org.kind == OrgKind.PARTY_GROUP and m.org.parent_id else m.org.pk
        if n >= review:
            detail = _("%(n)s consecutive months unpaid since %(since)s: a review case for the branch general meeting "
                       "(中组发〔2008〕3号 art. 13).") % {"n": n, "since": label(since)}
            due = None
        else:
            detail = ngettext("%(n)s month unpaid since %(since)s.", "%(n)s consecutive months unpaid since %(since)s.",
                              n) % {"n": n, "since": label(since)}
            due = month_start_offset(since, review)
        out.append((n, m.org_path, m.name, m.pk,
                    Finding(m.org_path, m.name, detail, f"{url}?org={branch_id}", due)))
    out.sort(key=lambda r: (-r[0], r[1], r[2], r[3]))
    return [r[-1] for r in out]


def register() -> None:
    from dangjian.core.indicators import Indicator, Monitor, register_indicator, register_monitor

    register_indicator(Indicator(
        "dues.paid_rate", gettext_lazy("Dues paid rate"), "percent", paid_rate,
        rule_ref="中组发〔2008〕3号 arts. 7, 12 (monthly payment; exemptions); DOMAIN §3, §11 Dues",
        description=gettext_lazy("Paid bills over the bills of the months of the period, exempt bills left out; "
                                 "an unpaid month with an approved reason counts as unpaid. Empty when there is no bill.")))
    register_monitor(Monitor(
        "dues.arrears", gettext_lazy("Dues in arrears"), "warning", arrears,
        rule_ref="中组发〔2008〕3号 art. 13; DOMAIN §11 Dues (warn 1 month, escalated 3, review case 6 [cfg])",
        description=gettext_lazy("Members with unpaid dues for consecutive months up to last month, longest first; "
                                 "the date is when the review case for the branch general meeting opens.")))
