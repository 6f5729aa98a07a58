"""Org life's indicators for the registry of :mod:`dangjian.core.indicators` (issue 9 item 6).

Both are one aggregate query over the subtree (``org_path`` prefix, the ``meeting_orgpath_start``
index), whatever its size:

* ``orglife.meetings_held`` — meetings of the subtree (any type, Party groups' included) whose
  minutes were signed off (``HELD_STATUSES``: the only meetings that count as *held*, DOMAIN §1.1
  / §11 "三会一课") and whose ``starts_at`` lies in [start, end), Beijing time.
* ``orglife.attendance_rate`` — over the same held meetings, 实到 / 应到 pooled over all their
  invitations, in per cent with one decimal (half up): the rule of
  :func:`selectors.attendance_summary` — 实到 = present + late; 应到 = invited minus exempt by
  rule (教育管理条例 art. 23). Members on leave stay in 应到 (leave excuses the absence, it does not
  remove the duty to attend; they make up, DOMAIN §1.1). None when nobody should have attended.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .models import HELD_STATUSES, PRESENT_STATUSES, Attendance, AttendanceStatus, Meeting

TZ = ZoneInfo("Asia/Shanghai")


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) as Beijing-time instants (midnight of each day)."""
    return dt.datetime.combine(start, dt.time(), TZ), dt.datetime.combine(end, dt.time(), TZ)


def meetings_held(*, org, start: dt.date, end: dt.date) -> int:
    lo, hi = _bounds(start, end)
    return Meeting.objects.filter(org_path__startswith=org.path, status__in=list(HELD_STATUSES),
                                  starts_at__gte=lo, starts_at__lt=hi).count()


def attendance_rate(*, org, start: dt.date, end: dt.date) -> Decimal | None:
    lo, hi = _bounds(start, end)
    agg = (Attendance.objects.filter(org_path__startswith=org.path, meeting__status__in=list(HELD_STATUSES),
                                     meeting__starts_at__gte=lo, meeting__starts_at__lt=hi)
           .aggregate(total=Count("id"), exempt=Count("id", filter=Q(status=AttendanceStatus.EXEMPT)),
                      present=Count("id", filter=Q(status__in=list(PRESENT_STATUSES)))))
    should = agg["total"] - agg["exempt"]
    if not should:
        return None
    return (Decimal(100 * agg["present"]) / Decimal(should)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def register() -> None:
    from dangjian.core.indicators import Indicator, register_indicator

    register_indicator(
        Indicator(
            "orglife.meetings_held", _("Meetings held"), "count", meetings_held,
            rule_ref="DOMAIN §1.1, §11 三会一课 (支部工作条例 arts. 11–16): held = minutes signed off",
            description=_("Meetings of the organization and its subtree, of any type, whose minutes were signed off "
                          "and which started in the period (Beijing time).")),
        Indicator(
            "orglife.attendance_rate", _("Meeting attendance rate"), "percent", attendance_rate,
            rule_ref="DOMAIN §1.1, §11 (应到 excludes members exempt under 教育管理条例 art. 23), §9.2",
            description=_("Present or late over invited minus exempt, over all invitations to the meetings held in "
                          "the period; members on leave count as expected. Empty when nobody was expected.")),
    )
