"""The month's branch-level totals and their notice on the publicity board (三务公开)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, policy

from ..models import (
    BillStatus,
    DuesBill,
    DuesPayment,
)
from ..months import label, month_start


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
    policy.authorize(actor, "dues", "record", org)
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
