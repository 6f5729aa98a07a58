"""Read-side helpers of org life that other apps (minutes, supervision) use."""
from __future__ import annotations

from django.db.models import Count, Q

from .models import Attendance, AttendanceStatus


def attendance_summary(meeting) -> dict[str, int]:
    """应到 / 实到 and the rest for one meeting (DOMAIN §1.1, §11).

    ``should`` (应到) = invited members except those exempt by rule (old, frail, ill — 教育管理条例
    art. 23); ``present`` (实到) counts on-time and late sign-ins; ``rate`` is present / should
    in per cent (None when nobody should attend)."""
    S = AttendanceStatus
    agg = Attendance.objects.filter(meeting=meeting).aggregate(
        total=Count("id"),
        present=Count("id", filter=Q(status__in=[S.PRESENT, S.LATE])),
        late=Count("id", filter=Q(status=S.LATE)),
        leave=Count("id", filter=Q(status=S.LEAVE)),
        absent=Count("id", filter=Q(status__in=[S.ABSENT, S.INVITED])),
        exempt=Count("id", filter=Q(status=S.EXEMPT)),
    )
    should = agg["total"] - agg["exempt"]
    agg["should"] = should
    agg["rate"] = round(100 * agg["present"] / should, 1) if should else None
    return agg
