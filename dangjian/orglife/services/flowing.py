"""Flowing members: org life at the inflow organization (教育管理条例 art. 32) — the Attendance
of a flowing member at the home branch and the PointsEntry that compensates an absence.

A flowing member has one home branch and may take part in several org lives where they are; the
org life they attended at the inflow organization counts for the home branch; a member flowing
in from another branch is invited here, not required. ``close_meeting`` (:mod:`.signin`) calls
``_release_flowing_in`` and ``_credit_inflow``; the daily job ``orglife.inflow_credit``
(``tasks.py``) calls ``credit_inflow_recent``. DOMAIN §11 ("count flowing members who attended
elsewhere")."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core import audit

from .. import selectors
from ..models import PRESENT_STATUSES, Attendance, Meeting, MeetingStatus, MeetingType, PointsEntry
from ._common import S
from .points import points_rules

INFLOW_RULE_ID = "orglife.attendance.inflow_credit"
INFLOW_LOOKBACK_DAYS = 40


def type_period(meeting_type: MeetingType, when: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the period of ``meeting_type.frequency`` (Beijing time) that contains
    ``when``: the calendar month, quarter or year; a type with no fixed frequency uses the
    calendar month."""
    from ..models import Frequency

    tz = timezone.get_current_timezone()
    d = timezone.localtime(when, tz).date()
    if meeting_type.frequency == Frequency.YEAR:
        first, months = 1, 12
    elif meeting_type.frequency == Frequency.QUARTER:
        first, months = 3 * ((d.month - 1) // 3) + 1, 3
    else:
        first, months = d.month, 1
    m = first - 1 + months
    return dt.datetime(d.year, first, 1, tzinfo=tz), dt.datetime(d.year + m // 12, m % 12 + 1, 1, tzinfo=tz)


def inflow_attendance_for(meeting: Meeting, member_ids) -> dict[int, Attendance]:
    """member id → the first attendance (present or late) of that member at a meeting of the
    same type at their registered inflow organization (流入地党组织; its subtree) within the same
    period of the type's frequency (``type_period``). 教育管理条例 art. 32: a flowing member has
    one home branch and may take part in several org lives where they are; the org life they
    attended at the inflow organization counts for the home branch. The flowing entry
    (``transfers.AwayRecord``, kind flowing, naming an inflow organization) must overlap the
    period; a meeting inside the inflow organization itself credits nothing."""
    try:
        from dangjian.transfers.api import AwayKind, AwayRecord
    except ImportError:  # pragma: no cover - transfers not installed
        return {}
    member_ids = list(member_ids)
    if not member_ids:
        return {}
    start, end = type_period(meeting.type, meeting.starts_at)
    start_day, end_day = timezone.localtime(start).date(), timezone.localtime(end).date()
    recs = (AwayRecord.objects.filter(member_id__in=member_ids, kind=AwayKind.FLOWING, since__lt=end_day)
            .exclude(inflow_path="").filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start_day))
            .order_by("-closed_on", "-id"))
    out: dict[int, Attendance] = {}
    for rec in recs:
        if rec.member_id in out or meeting.org_path.startswith(rec.inflow_path):
            continue
        att = (Attendance.objects.filter(member_id=rec.member_id, status__in=list(PRESENT_STATUSES),
                                         meeting__type_id=meeting.type_id, meeting__org_path__startswith=rec.inflow_path,
                                         meeting__starts_at__gte=start, meeting__starts_at__lt=end)
               .exclude(meeting_id=meeting.pk)
               .exclude(meeting__status__in=[MeetingStatus.CANCELLED, MeetingStatus.PLANNED])
               .select_related("meeting", "meeting__org").order_by("meeting__starts_at", "id").first())
        if att is not None:
            out[rec.member_id] = att
    return out


def _release_flowing_in(meeting: Meeting) -> int:
    """Inside ``close_meeting``, before absentees are marked: members flowing in from another
    branch (``selectors.flowing_in_member_ids``) who were invited here but did not come are not
    absent — they were invited, not required; their 应到 is their home branch's (教育管理条例
    art. 32). They become EXEMPT (out of this meeting's 应到, no points) with the reason saying so."""
    ids = selectors.flowing_in_member_ids(meeting.org)
    rows = list(Attendance.objects.filter(meeting=meeting, status=S.INVITED, member_id__in=ids)
                .exclude(member__org_path__startswith=meeting.org_path).select_related("member__org"))
    for att in rows:
        att.status = S.EXEMPT
        att.reason = f"流动党员，组织关系在{att.member.org.name}（应到计入原党支部）"[:200]
        att.save(update_fields=["status", "reason"])
    return len(rows)


def inflow_reason(att: Attendance) -> str:
    """The reason written on the home meeting's attendance row (in the default language, a record)."""
    day = timezone.localtime(att.meeting.starts_at).date().isoformat()
    return f"在流入地党组织参加组织生活：{att.meeting.org.name} {day}"[:200]


def _credit_inflow(meeting: Meeting) -> dict[int, Attendance]:
    """Inside ``close_meeting``: ABSENT flowing members who attended at their inflow organization
    in the period become LEAVE (excused) with ``inflow_reason`` — before the points are written,
    so no absence points arise (教育管理条例 art. 32)."""
    absent = Attendance.objects.filter(meeting=meeting, status=S.ABSENT).values_list("member_id", flat=True)
    found = inflow_attendance_for(meeting, absent)
    for mid, att in found.items():
        Attendance.objects.filter(meeting=meeting, member_id=mid, status=S.ABSENT).update(status=S.LEAVE, reason=inflow_reason(att))
    return found


def attendance_locked(meeting: Meeting) -> bool:
    """True once the meeting's minutes carry a signature: the first signature freezes 应到/实到 and
    the absentees into the record, and a signed-off record (meeting RECORDED) is read-only
    (DOMAIN §11: append-only after sign-off). Its attendance rows are then never changed."""
    if meeting.status == MeetingStatus.RECORDED:
        return True
    records = getattr(meeting, "records", None)
    if records is None:  # pragma: no cover - minutes not installed
        return False
    return records.filter(Q(host_signed_at__isnull=False) | Q(recorder_signed_at__isnull=False) | ~Q(status="draft")).exists()


def credit_inflow_attendance(*, meeting: Meeting, actor=None) -> int:
    """Re-apply the inflow credit after the home meeting was closed (the inflow meeting may come
    later in the period): ABSENT rows of a closed meeting whose flowing member attended a meeting
    of the same type at the inflow organization in the same period (``inflow_attendance_for``)
    become LEAVE with ``inflow_reason``; the absence points are neutralised by a compensating
    ``PointsEntry`` (rule ``INFLOW_RULE_ID``: the leave points minus the absence points already
    written). Idempotent (only ABSENT rows change; one compensating row per member and meeting);
    audited per member. Never touches a meeting whose minutes are signed (``attendance_locked``).
    Returns how many rows changed. 教育管理条例 art. 32; DOMAIN §11 ("count flowing members who
    attended elsewhere")."""
    conf = points_rules()
    leave_delta, version = int(conf["rules"].get("leave", 0) or 0), str(conf["version"])[:40]
    n = 0
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("org", "type").get(pk=meeting.pk)
        if meeting.status not in (MeetingStatus.CLOSED, MeetingStatus.RECORDED) or attendance_locked(meeting):
            return 0
        absent = Attendance.objects.filter(meeting=meeting, status=S.ABSENT).values_list("member_id", flat=True)
        for mid, att in inflow_attendance_for(meeting, absent).items():
            reason = inflow_reason(att)
            if not Attendance.objects.filter(meeting=meeting, member_id=mid, status=S.ABSENT).update(status=S.LEAVE, reason=reason):
                continue
            written = sum(PointsEntry.objects.filter(meeting=meeting, member_id=mid, rule_id__startswith="orglife.attendance.")
                          .exclude(rule_id=INFLOW_RULE_ID).values_list("delta", flat=True))
            delta = leave_delta - written
            if delta:
                PointsEntry.objects.get_or_create(
                    meeting=meeting, member_id=mid, rule_id=INFLOW_RULE_ID,
                    defaults={"org_path": meeting.org_path, "delta": delta, "reason": f"{meeting.title[:100]}：{reason}"[:200],
                              "rule_version": version})
            audit.record(actor=actor, action="orglife.inflow_credit", obj=meeting,
                         data={"member": mid, "inflow_meeting": att.meeting_id, "points": delta})
            n += 1
    return n


def credit_inflow_recent(*, today: dt.date | None = None) -> int:
    """The daily job's work: ``credit_inflow_attendance`` for every closed meeting of the last
    ``INFLOW_LOOKBACK_DAYS`` days with an ABSENT member who has a flowing entry naming an inflow
    organization."""
    try:
        from dangjian.transfers.api import AwayKind, AwayRecord
    except ImportError:  # pragma: no cover
        return 0
    now = timezone.now() if today is None else dt.datetime.combine(today, dt.time(23, 59), tzinfo=timezone.get_current_timezone())
    flowing = AwayRecord.objects.filter(kind=AwayKind.FLOWING).exclude(inflow_path="").values("member_id")
    pks = (Meeting.objects.filter(status=MeetingStatus.CLOSED, starts_at__gte=now - dt.timedelta(days=INFLOW_LOOKBACK_DAYS),
                                  starts_at__lte=now, attendance__status=S.ABSENT, attendance__member_id__in=flowing)
           .values_list("pk", flat=True).distinct())
    return sum(credit_inflow_attendance(meeting=Meeting(pk=pk)) for pk in list(pks))
