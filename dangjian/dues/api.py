"""What other apps may ask the dues app (e.g. a transfer's introduction letter: "党费交至").

    from dangjian.dues.api import paid_up_to, arrears_months
"""
from __future__ import annotations

import datetime as dt


def paid_up_to(member) -> dt.date | None:
    """The last month up to which the member's dues are settled without a gap (paid or exempt),
    or None when nothing is settled yet."""
    from .models import BillStatus, DuesBill

    bills = list(DuesBill.objects.filter(member=member).order_by("month").values_list("month", "status"))
    last = None
    for month, status in bills:
        if status not in (BillStatus.PAID, BillStatus.EXEMPT):
            break
        last = month
    return last


def arrears_months(member, today: dt.date | None = None) -> int:
    """Consecutive unpaid months ending with last month (as the arrears job counts them)."""
    from .months import current_month, month_start
    from .selectors import arrears_for

    this = month_start(today) if today else current_month()
    return arrears_for([member.pk], this).get(member.pk, 0)
