"""The minutes' shared pieces: the rule version, the draft lock every change takes, the attendance
snapshot a record carries (应到/实到, names present, absentees with reasons: DOMAIN §1.3) and the
clearing of signatures when a signed draft's content changes."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.orglife.api import PRESENT_STATUSES, Attendance, AttendanceStatus, Meeting, attendance_summary

from .. import quorum
from ..models import MeetingRecord, RecordLocked, RecordStatus

RULE_VERSION = "DOMAIN §1.3 / §11 三会一课 (2026-11); " + quorum.RULE_VERSION

ABSENT_STATUSES = (AttendanceStatus.LEAVE, AttendanceStatus.ABSENT, AttendanceStatus.INVITED)


def _locked():
    return RecordLocked(_("This record is signed off and read-only; make a correction (a new version) instead."), code="locked")


def _require_draft(record: MeetingRecord) -> MeetingRecord:
    """Re-read the record under a row lock and refuse unless it is a draft."""
    record = MeetingRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != RecordStatus.DRAFT:
        raise _locked()
    return record


# -- attendance snapshot (应到/实到, names present, absentees) --------------------------------

def attendance_snapshot(meeting: Meeting, keep_reasons: list | None = None) -> dict:
    """应到/实到 from ``orglife.selectors.attendance_summary`` and the names behind them.

    Absentees are the invited members on leave or absent (not the exempt: 教育管理条例 art. 23);
    each carries the reason from the attendance row, else the reason the recorder filled in.
    """
    summary = attendance_summary(meeting)
    rows = list(Attendance.objects.filter(meeting=meeting).select_related("member").order_by("id"))
    kept = {a.get("member"): a.get("reason", "") for a in (keep_reasons or [])}
    present = [a.member.name for a in rows if a.status in PRESENT_STATUSES]
    absentees = [
        {"member": a.member_id, "name": a.member.name, "status": "leave" if a.status == AttendanceStatus.LEAVE else "absent",
         "reason": (a.reason or kept.get(a.member_id, "")).strip()}
        for a in rows if a.status in ABSENT_STATUSES
    ]
    return {
        "should_attend": summary["should"] if rows else None,
        "attended": summary["present"] if rows else None,
        "present_names": "、".join(present),
        "absentees": absentees,
    }


def _apply_snapshot(record: MeetingRecord) -> None:
    for k, v in attendance_snapshot(record.meeting, record.absentees).items():
        setattr(record, k, v)


def _clear_signatures(record: MeetingRecord) -> bool:
    had = bool(record.host_signed_at or record.recorder_signed_at)
    record.host_signed_at = record.recorder_signed_at = None
    record.host_signed_by = record.recorder_signed_by = None
    return had


def _touch(record: MeetingRecord) -> None:
    """A content change of a draft: signatures already given no longer apply."""
    _clear_signatures(record)
    record.updated_at = timezone.now()
    record.save()
