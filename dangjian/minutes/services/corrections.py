"""Corrections of a signed record (DOMAIN §11: append-only after sign-off): a new version, never
an edit in place."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, policy

from ..models import Attachment, MeetingRecord, RecordStatus, Vote


def correct(*, actor, record: MeetingRecord, reason: str) -> MeetingRecord:
    """A correction of a signed record is a new version (DOMAIN §11: append-only after
    sign-off): a draft copying the content, votes and attachments, linked to the old version,
    signed again by host and recorder. The old version stays readable; it is marked superseded
    when the new one is signed. Never an edit in place."""
    policy.authorize(actor, "meeting", "record", record)
    reason = (reason or "").strip()
    with transaction.atomic():
        record = MeetingRecord.objects.select_for_update().get(pk=record.pk)
        if record.status != RecordStatus.SIGNED:
            raise ValidationError(_("Only a signed-off record is corrected by a new version; edit the draft instead."), code="not_signed")
        if record.superseded_at or MeetingRecord.objects.filter(previous=record).exists():
            raise ValidationError(_("This version already has a correction; work on the newest version."), code="has_correction")
        if not reason:
            raise ValidationError({"reason": ValidationError(_("Say what is corrected and why."), code="no_reason")})
        new = MeetingRecord(
            meeting_id=record.meeting_id, org_id=record.org_id, org_path=record.org_path,
            version=record.version + 1, previous=record, correction_reason=reason[:300],
            created_by=actor if getattr(actor, "pk", None) else None,
            **{f: getattr(record, f) for f in (
                "meeting_name", "type_name", "session_label", "starts_at", "ends_at", "place", "host",
                "host_name", "recorder", "recorder_name", "should_attend", "attended", "present_names",
                "absentees", "sitting_in", "agenda", "speeches", "decisions", "open_items", "summary")},
        )
        new.save()
        for v in record.votes.order_by("id"):
            Vote.objects.create(record=new, **{f: getattr(v, f) for f in (
                "motion", "kind", "candidate", "voters_total", "voters_present", "yes", "no", "abstain",
                "written_yes", "written_total", "passed", "result_code", "rule_version", "created_by", "created_at")})
        for a in record.attachments.order_by("id"):
            Attachment.objects.create(record=new, **{f: getattr(a, f) for f in (
                "kind", "title", "file", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")})
        audit.record(actor=actor, action="minutes.correct", obj=new,
                     data={"previous": record.pk, "version": new.version, "reason": reason[:300]})
    return new
