"""Drafting a record (MeetingRecord while it is a draft): open version 1 from the meeting, edit
it (DOMAIN §1.3: the organisation part, the content part, host and recorder); 应到/实到 and the
names come from attendance, not typed."""
from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.members.api import Member
from dangjian.orglife.api import Attendance, Meeting, MeetingStatus

from ..models import MeetingRecord
from ._common import _apply_snapshot, _clear_signatures, _require_draft

EDITABLE_FIELDS = (
    "meeting_name", "session_label", "starts_at", "ends_at", "place", "host", "recorder",
    "sitting_in", "agenda", "speeches", "decisions", "open_items", "summary",
)


def _member_name(m: Member | None) -> str:
    return m.name if m is not None else ""


def start_record(*, actor, meeting: Meeting) -> MeetingRecord:
    """Open version 1 of a meeting's record (DOMAIN §1.3), pre-filled from the meeting and its
    attendance. One record chain per meeting; a cancelled meeting has no minutes."""
    policy.authorize(actor, "meeting", "record", meeting)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update(of=("self",)).select_related("type", "host", "recorder", "org").get(pk=meeting.pk)
        if meeting.status == MeetingStatus.CANCELLED:
            raise ValidationError(_("This meeting was cancelled; it has no minutes."), code="cancelled")
        existing = MeetingRecord.objects.filter(meeting=meeting).order_by("-version").first()
        if existing is not None:
            return existing
        record = MeetingRecord(
            meeting=meeting, org=meeting.org, org_path=meeting.org_path, version=1,
            meeting_name=meeting.title, type_name=meeting.type.name, starts_at=meeting.starts_at,
            ends_at=meeting.ends_at, place=meeting.place, host=meeting.host, host_name=_member_name(meeting.host),
            recorder=meeting.recorder, recorder_name=_member_name(meeting.recorder), agenda=meeting.agenda,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        _apply_snapshot(record)
        record.save()
        audit.record(actor=actor, action="minutes.start", obj=record, data={"meeting": meeting.pk, "version": 1})
    return record


def signer_choices(meeting: Meeting):
    """Members who may be named host or recorder: invited members and members of the meeting's
    organization (and its groups)."""
    invited = Attendance.objects.filter(meeting=meeting).values("member_id")
    return Member.objects.filter(Q(pk__in=invited) | Q(org_path__startswith=meeting.org_path), state="active").order_by("name", "id")


def update_record(*, actor, record: MeetingRecord, data: dict, absentee_reasons: dict | None = None) -> MeetingRecord:
    """Edit a draft record (DOMAIN §1.3). 应到/实到 and the names come from attendance and are
    refreshed, not typed; the recorder may fill in a missing reason of an absentee. Editing a
    draft that one signer already signed removes that signature (they signed other content)."""
    policy.authorize(actor, "meeting", "record", record)
    with transaction.atomic():
        record = _require_draft(record)
        changed = []
        for field in EDITABLE_FIELDS:
            if field not in data:
                continue
            value = data[field]
            if isinstance(value, str):
                value = value.strip()
            if field in ("host", "recorder") and value is not None:
                if not signer_choices(record.meeting).filter(pk=value.pk).exists():
                    raise ValidationError({field: ValidationError(_("Choose a member of this organization or an invited member."), code="not_a_signer")})
            if getattr(record, field) != value:
                setattr(record, field, value)
                changed.append(field)
        record.host_name = _member_name(record.host)
        record.recorder_name = _member_name(record.recorder)
        if record.starts_at and record.ends_at and record.ends_at < record.starts_at:
            raise ValidationError({"ends_at": ValidationError(_("The end time is before the start time."), code="ends_before_start")})
        before = (record.should_attend, record.attended, record.present_names, json.dumps(record.absentees, sort_keys=True))
        _apply_snapshot(record)
        if before != (record.should_attend, record.attended, record.present_names, json.dumps(record.absentees, sort_keys=True)):
            changed.append("attendance")
        if absentee_reasons:
            for a in record.absentees:
                reason = (absentee_reasons.get(a["member"]) or absentee_reasons.get(str(a["member"])) or "").strip()
                if reason and reason != a["reason"]:
                    a["reason"] = reason[:200]
                    changed.append(f"reason:{a['member']}")
        cleared = _clear_signatures(record) if changed else False
        record.updated_at = timezone.now()
        record.save()
        audit.record(actor=actor, action="minutes.update", obj=record,
                     data={"fields": changed, "signatures_cleared": cleared, "version": record.version})
    return record
