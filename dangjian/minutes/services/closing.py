"""Closing a record: the [block] fields and [warn] items of DOMAIN §11, and the host's and
recorder's signatures (DOMAIN §1.3 closing; §11 "host + recorder sign-off"): the first ends the
meeting's sign-in and freezes its attendance, the second makes the record read-only, hashed and
chained (:mod:`.chain`), and the meeting RECORDED."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.models import Organization
from dangjian.orglife.api import Attendance, AttendanceStatus, Meeting, MeetingStatus

from ..models import GENESIS, AttachmentKind, MeetingRecord, RecordStatus
from ._common import RULE_VERSION, _apply_snapshot
from .chain import record_hash


def missing_for_closing(record: MeetingRecord) -> list[tuple[str, str]]:
    """[block] fields of DOMAIN §11 without which a record may not be closed: (key, label)."""
    out = []
    if not record.type_name:
        out.append(("type", _("meeting type")))
    if not record.starts_at or not record.ends_at:
        out.append(("time", _("date and start/end time")))
    if not record.place.strip():
        out.append(("place", _("place")))
    if not record.host_id:
        out.append(("host", _("host")))
    if not record.recorder_id:
        out.append(("recorder", _("recorder")))
    if not record.should_attend or record.attended is None:
        out.append(("attendance", _("应到/实到 (no attendance was taken)")))
    no_reason = [a["name"] for a in record.absentees if not (a.get("reason") or "").strip()]
    if no_reason:
        out.append(("absentees", _("reasons of the absentees: %(names)s") % {"names": "、".join(no_reason)}))
    if not record.agenda.strip():
        out.append(("agenda", _("agenda / topics")))
    if not record.decisions.strip():
        out.append(("decisions", _("decisions / resolutions")))
    return out


def warnings_for(record: MeetingRecord) -> list[str]:
    """[warn] items of DOMAIN §11: no sign-in sheet or photo attached."""
    out = []
    kinds = set(record.attachments.values_list("kind", flat=True))
    if AttachmentKind.SIGNIN_SHEET not in kinds:
        out.append(_("No sign-in sheet (签到表) is attached."))
    if AttachmentKind.PHOTO not in kinds:
        out.append(_("No photo of the meeting is attached."))
    return out


def _close_meeting(*, actor, meeting: Meeting) -> None:
    """End the meeting's sign-in before its attendance is written into the record: orglife's own
    close service (it owns attendance); members still only invited become absent."""
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.OPEN):
        from dangjian.orglife.api import close_meeting

        if meeting.status == MeetingStatus.PLANNED:
            # sign-in was never opened (attendance by roll call / paper sheet): orglife's close
            # ends an OPEN meeting, so pass through OPEN — the whole step is one transaction
            Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.OPEN)
            meeting.status = MeetingStatus.OPEN
        # the system closes it: the signer was checked as host or recorder (sign), who may be an
        # ordinary member without "meeting manage"; the signature's audit row names them
        close_meeting(actor=None, meeting=meeting)
    Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.INVITED).update(status=AttendanceStatus.ABSENT)
    meeting.refresh_from_db(fields=["status", "closed_at"])


def sign(*, actor, record: MeetingRecord) -> MeetingRecord:
    """Host and recorder sign the record (DOMAIN §1.3 closing; §11 "host + recorder sign-off").

    The signer must be the host or recorder member linked to the logged-in user. The meeting must
    have started and not be cancelled; every [block] field of §11 must be filled (all missing
    fields are listed in one message, nothing written). The first signature ends the meeting's
    sign-in and freezes 应到/实到 and the absentees. When both have signed, the record becomes
    read-only; its canonical content is hashed and chained to the organization's previous signed
    record; ``Meeting.status`` becomes RECORDED (the meeting now counts as held)."""
    policy.authorize(actor, "meeting", "sign_off", record)
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=record.org_id).first()  # serializes the org's chain
        record = MeetingRecord.objects.select_for_update(of=("self",)).select_related("meeting", "meeting__type", "host", "recorder").get(pk=record.pk)
        if record.status != RecordStatus.DRAFT:
            raise ValidationError(_("This record is already signed off."), code="locked")
        meeting = Meeting.objects.select_for_update().get(pk=record.meeting_id)
        roles = []
        uid = getattr(actor, "pk", None)
        if uid and record.host_id and record.host.user_id == uid and not record.host_signed_at:
            roles.append("host")
        if uid and record.recorder_id and record.recorder.user_id == uid and not record.recorder_signed_at:
            roles.append("recorder")
        if not roles:
            mine = uid and ((record.host_id and record.host.user_id == uid) or (record.recorder_id and record.recorder.user_id == uid))
            if mine:
                raise ValidationError(_("You have already signed this record; it waits for the other signature."), code="already_signed")
            raise PermissionDenied(_("Only the host (%(host)s) and the recorder (%(recorder)s) sign the record.") % {
                "host": record.host_name or "—", "recorder": record.recorder_name or "—"})
        if meeting.status == MeetingStatus.CANCELLED:
            raise ValidationError(_("This meeting was cancelled; it cannot be recorded."), code="cancelled")
        now = timezone.now()
        if meeting.starts_at > now:
            raise ValidationError(_("The meeting has not started yet; sign the record after the meeting."), code="not_started")
        first = not (record.host_signed_at or record.recorder_signed_at)
        if first:
            _close_meeting(actor=actor, meeting=meeting)
            _apply_snapshot(record)
        missing = missing_for_closing(record)
        if missing:
            raise ValidationError(
                _("The record cannot be closed. Missing: %(fields)s.") % {"fields": "; ".join(label for _k, label in missing)},
                code="incomplete", params={"missing": [k for k, _l in missing]},
            )
        for role in roles:
            setattr(record, f"{role}_signed_at", now)
            setattr(record, f"{role}_signed_by", actor)
        complete = bool(record.host_signed_at and record.recorder_signed_at)
        if complete:
            last = (MeetingRecord.objects.filter(org_id=record.org_id, chain_seq__isnull=False)
                    .order_by("-chain_seq").only("chain_seq", "content_hash").first())
            record.chain_seq = (last.chain_seq + 1) if last else 1
            record.prev_hash = last.content_hash if last else GENESIS
            record.signed_at = now
            record.status = RecordStatus.SIGNED
            record.content_hash = record_hash(record.prev_hash, record)
        record.updated_at = now
        record.save()
        audit.record(actor=actor, action="minutes.sign", obj=record, data={"roles": roles, "version": record.version})
        if complete:
            if record.previous_id:
                MeetingRecord.objects.filter(pk=record.previous_id).update(superseded_at=now)
            Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.RECORDED, closed_at=meeting.closed_at or now)
            audit.record(actor=actor, action="minutes.close", obj=record,
                         data={"meeting": meeting.pk, "version": record.version, "hash": record.content_hash,
                               "chain_seq": record.chain_seq, "rule": RULE_VERSION})
    return record
