"""Business rules of meeting records (会议记录). Every function runs in one transaction, writes one
audit row per state change and raises ``ValidationError`` with a clear message (nothing written).

Rules encoded (DOMAIN.md, rule version ``RULE_VERSION`` below):

* §1.3 — the fields of a record (organisation part, content part, closing) and host + recorder
  signatures;
* §11 "三会一课 & org life" — [block] closing a record without type, date/time, place, host,
  recorder, 应到/实到, absentees with reasons, agenda, decisions; [warn] no sign-in sheet/photo;
  records become append-only after sign-off (hash chain); a correction is a new version;
* §1.2 and §11 "Votes & elections" — via the pure functions of ``quorum.py``: no vote when present
  voters ≤ ½; passes only with yes > ½ of 应到 voting full members; written opinions of absent
  voters counted in admission/conversion votes; one candidate per vote; probationary members
  have no vote.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit, uploads
from dangjian.core.errors import collected
from dangjian.core.models import Organization
from dangjian.members import api as member_services
from dangjian.members.api import Member, MemberStatus
from dangjian.orglife.api import PRESENT_STATUSES, Attendance, AttendanceStatus, Meeting, MeetingStatus, attendance_summary

from . import quorum
from .models import (
    GENESIS,
    Attachment,
    AttachmentKind,
    MeetingRecord,
    RecordLocked,
    RecordStatus,
    Vote,
    VoteKind,
)

RULE_VERSION = "DOMAIN §1.3 / §11 三会一课 (2026-11); " + quorum.RULE_VERSION

EDITABLE_FIELDS = (
    "meeting_name", "session_label", "starts_at", "ends_at", "place", "host", "recorder",
    "sitting_in", "agenda", "speeches", "decisions", "open_items", "summary",
)
ABSENT_STATUSES = (AttendanceStatus.LEAVE, AttendanceStatus.ABSENT, AttendanceStatus.INVITED)

# Upload limits (SECURITY.md "files"): images are re-encoded; other files are kept as sent.
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_ATTACHMENTS = 40
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
OOXML = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _locked():
    return RecordLocked(_("This record is signed off and read-only; make a correction (a new version) instead."), code="locked")


def _require_draft(record: MeetingRecord) -> MeetingRecord:
    """Re-read the record under a row lock and refuse unless it is a draft."""
    record = MeetingRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != RecordStatus.DRAFT:
        raise _locked()
    return record


def _member_name(m: Member | None) -> str:
    return m.name if m is not None else ""


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


# -- drafting -------------------------------------------------------------------------------

def start_record(*, actor, meeting: Meeting) -> MeetingRecord:
    """Open version 1 of a meeting's record (DOMAIN §1.3), pre-filled from the meeting and its
    attendance. One record chain per meeting; a cancelled meeting has no minutes."""
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


# -- votes ------------------------------------------------------------------------------------

def vote_defaults(meeting: Meeting) -> dict:
    """应到 / 实到 voters: invited FULL members not exempt, and those of them present. Probationary
    members have no vote, nor members under 留党察看 or 留置 on the meeting day (党章 art. 40;
    选举工作条例 art. 5; DOMAIN §1.2), nor flowing members of other branches taking part here
    (their vote belongs to their home branch; 教育管理条例 art. 32)."""
    full = (Attendance.objects.filter(meeting=meeting, member__status=MemberStatus.FULL,
                                      member__org_path__startswith=meeting.org_path)
            .exclude(status=AttendanceStatus.EXEMPT))
    restricted = member_services.restricted_ids(full.values_list("member_id", flat=True),
                                                timezone.localtime(meeting.starts_at).date())
    full = full.exclude(member_id__in=restricted)
    return {"voters_total": full.count(), "voters_present": full.filter(status__in=PRESENT_STATUSES).count()}


VOTE_MESSAGES = {  # lazy: translated when shown, in the request's language
    "no_quorum": gettext_lazy("No vote: the voting members present (%(present)s) are not more than half of the %(total)s voting members who should attend (支部工作条例 art. 11)."),
    "counts_inconsistent": gettext_lazy("The counts do not add up: yes + no + abstain may not exceed the voters present, and voters present plus written opinions may not exceed the voting members who should attend."),
}


def add_vote(*, actor, record: MeetingRecord, data: dict) -> Vote:
    """Record one vote of a 支部党员大会 (DOMAIN §1.2, §11 "Votes & elections"; quorum.check_vote).

    [block] no quorum (present ≤ ½ of 应到 voters) or inconsistent counts: refused, nothing written.
    The result (passed / not passed) is computed: yes (+ written yes for admission/conversion)
    > ½ of 应到. Written opinions count only in admission/conversion votes, one candidate per vote.
    Voters are full members: 应到 is exactly the invited full members with voting rights who are not
    exempt (``vote_defaults``) — a smaller typed number would make the quorum easier."""
    with transaction.atomic():
        record = _require_draft(record)
        meeting = record.meeting
        if not meeting.type.voting:
            raise ValidationError(_("Meetings of type “%(type)s” take no votes; votes belong to a branch general meeting.") % {"type": meeting.type.name}, code="no_voting")
        kind = data.get("kind") or VoteKind.ORDINARY
        motion = (data.get("motion") or "").strip()
        candidate = (data.get("candidate") or "").strip()
        n = {k: int(data.get(k) or 0) for k in ("voters_total", "voters_present", "yes", "no", "abstain", "written_yes", "written_total")}
        errors = {}
        if not motion:
            errors["motion"] = ValidationError(_("Enter the motion that was voted on."), code="no_motion")
        if kind in (VoteKind.ADMISSION, VoteKind.CONVERSION) and not candidate:
            errors["candidate"] = ValidationError(_("Admission and conversion are voted one candidate at a time: enter the candidate."),
                                                code="no_candidate")
        if kind == VoteKind.ORDINARY and (n["written_total"] or n["written_yes"]):
            errors["written_total"] = ValidationError(_("Written opinions of absent members count only in admission and conversion votes."),
                                                    code="written_not_allowed")
        if n["voters_total"] <= 0:
            errors["voters_total"] = ValidationError(_("Enter the number of voting members who should attend."), code="no_voters_total")
        if errors:
            raise collected(errors)
        defaults = vote_defaults(meeting)
        if defaults["voters_total"] and n["voters_total"] != defaults["voters_total"]:
            raise ValidationError({"voters_total": ValidationError(_(
                "应到 is %(n)s: the invited full members with voting rights who are not exempt. Probationary members, "
                "members under 留党察看 and exempt members have no vote here; nobody else may be left out."
            ), code="wrong_voters_total", params={"n": defaults["voters_total"]})})
        check = quorum.check_vote(**n)
        if check.code in VOTE_MESSAGES:
            raise ValidationError(str(VOTE_MESSAGES[check.code]) % {"present": n["voters_present"], "total": n["voters_total"]}, code=check.code)
        vote = Vote.objects.create(
            record=record, motion=motion[:300], kind=kind, candidate=candidate[:100],
            passed=check.passed, result_code=check.code, rule_version=quorum.RULE_VERSION,
            created_by=actor if getattr(actor, "pk", None) else None, **n,
        )
        _touch(record)
        audit.record(actor=actor, action="minutes.vote_add", obj=vote,
                     data={"record": record.pk, "kind": kind, "passed": check.passed, "code": check.code, **n})
    return vote


def delete_vote(*, actor, vote: Vote) -> None:
    """Remove a vote from a draft record (a signed record is read-only)."""
    with transaction.atomic():
        record = _require_draft(vote.record)
        audit.record(actor=actor, action="minutes.vote_delete", obj=vote, data={"record": record.pk, "motion": vote.motion})
        vote.delete()
        _touch(record)


def _touch(record: MeetingRecord) -> None:
    """A content change of a draft: signatures already given no longer apply."""
    _clear_signatures(record)
    record.updated_at = timezone.now()
    record.save()


# -- attachments ------------------------------------------------------------------------------

def _reencode_image(data: bytes) -> tuple[bytes, str, str]:
    """Decode and re-encode (core.uploads): drops EXIF (GPS included), XMP, comments and anything appended."""
    try:
        return uploads.reencode_image(data, max_pixels=MAX_PIXELS)
    except uploads.BadFile as exc:
        if exc.code == "too_big":
            raise ValidationError(_("The image is too large (more than 40 megapixels)."), code="too_big") from exc
        raise ValidationError(_("The image could not be read; upload a JPEG, PNG or WebP photo."), code="bad_image") from exc


def _hostile(code: str) -> ValidationError:
    """The refusal of a file core.uploads found hostile (macros, embedded objects, DDE, remote
    templates, size lies, PDF scripts or HTML polyglots), with the shared code."""
    messages = {
        "bad_zip": _("The file is damaged."),
        "zip_bomb": _("The file expands to too much data; it was refused."),
        "size_mismatch": _("The file's declared sizes do not match its content; it was refused."),
        "macros": _("Files with macros are not accepted."),
        "ole_object": _("Files with embedded objects are not accepted."),
        "dde": _("Files with DDE formulas or fields are not accepted."),
        "external_ref": _("Files that load a remote template or linked content are not accepted."),
        "pdf_active": _("PDF files with scripts or actions are not accepted."),
        "polyglot": _("The PDF also contains web page markup; it was refused."),
    }
    return ValidationError(messages.get(code, _("The file is damaged.")), code="bad_file" if code == "bad_zip" else code)


def _check_office(data: bytes) -> str:
    try:
        names = uploads.check_ooxml(data, max_entries=MAX_ZIP_ENTRIES, max_uncompressed=MAX_ZIP_UNCOMPRESSED)
    except uploads.BadFile as exc:
        if exc.code != "not_ooxml":
            raise _hostile(exc.code) from exc
        names = set()
    for ext, (marker, _mime) in OOXML.items():
        if marker in names:
            return ext
    raise ValidationError(_("Only photos (JPEG, PNG, WebP) and PDF, Word (.docx) or Excel (.xlsx) files are accepted."), code="bad_type")


def validate_upload(data: bytes, name: str) -> tuple[bytes, str, str]:
    """(bytes to store, extension, content type) or ValidationError. The type is read from the
    content, not the name; images are re-encoded (JPEG/WebP → JPEG, PNG → PNG)."""
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = uploads.sniff(data[:16])
    if kind in ("jpeg", "png", "webp"):
        if len(data) > MAX_IMAGE_BYTES:
            raise ValidationError(_("A photo may be at most %(mb)s MB.") % {"mb": MAX_IMAGE_BYTES // (1024 * 1024)}, code="too_big")
        return _reencode_image(data)
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(_("A file may be at most %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}, code="too_big")
    if kind == "pdf":
        try:
            uploads.check_pdf(data)
        except uploads.BadFile as exc:
            raise _hostile(exc.code) from exc
        return data, "pdf", "application/pdf"
    if kind == "zip":
        ext = _check_office(data)
        return data, ext, OOXML[ext][1]
    raise ValidationError(_("Only photos (JPEG, PNG, WebP) and PDF, Word (.docx) or Excel (.xlsx) files are accepted."), code="bad_type")


def add_attachment(*, actor, record: MeetingRecord, upload, kind: str = AttachmentKind.PHOTO, title: str = "") -> Attachment:
    """Attach a photo or file to a draft record (DOMAIN §1.3 practice extras: sign-in sheet,
    photos, materials). Checked by content; images re-encoded without EXIF/GPS."""
    if upload is None:
        raise ValidationError(_("Choose a file."), code="empty")
    if getattr(upload, "size", 0) and upload.size > max(MAX_IMAGE_BYTES, MAX_FILE_BYTES):
        raise ValidationError(_("A file may be at most %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}, code="too_big")
    data = upload.read(max(MAX_IMAGE_BYTES, MAX_FILE_BYTES) + 1)
    stored, ext, ctype = validate_upload(data, getattr(upload, "name", "") or "")
    if kind not in AttachmentKind.values:
        kind = AttachmentKind.MATERIAL
    with transaction.atomic():
        record = _require_draft(record)
        if record.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationError(_("A record may have at most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}, code="too_many")
        original = (getattr(upload, "name", "") or f"file.{ext}").replace("\\", "/").rsplit("/", 1)[-1][:150]
        att = Attachment(record=record, org_path=record.org_path, kind=kind, title=(title or "").strip()[:200],
                         original_name=original, content_type=ctype, size=len(stored),
                         sha256=hashlib.sha256(stored).hexdigest(),
                         uploaded_by=actor if getattr(actor, "pk", None) else None)
        att.file.save(f"upload.{ext}", ContentFile(stored), save=False)
        try:
            att.save()
        except Exception:
            att.file.delete(save=False)
            raise
        _touch(record)
        audit.record(actor=actor, action="minutes.attach", obj=att,
                     data={"record": record.pk, "kind": kind, "type": ctype, "size": len(stored), "sha256": att.sha256})
    return att


def delete_attachment(*, actor, attachment: Attachment) -> None:
    """Remove an attachment of a draft record (the file stays if an earlier version uses it)."""
    with transaction.atomic():
        record = _require_draft(attachment.record)
        audit.record(actor=actor, action="minutes.attachment_delete", obj=attachment, data={"record": record.pk, "sha256": attachment.sha256})
        name = attachment.file.name
        attachment.delete()
        _touch(record)
        if not Attachment.objects.filter(file=name).exists():
            transaction.on_commit(lambda: attachment.file.storage.delete(name))


# -- closing: required fields, signatures, hash chain ----------------------------------------

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


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(record: MeetingRecord, votes=None, attachments=None) -> str:
    """The exact text hashed for a signed record: content, votes, attachments, signatures. The
    record is identified by (meeting, version), unique, so the hash can be computed before the
    row exists. (``votes``/``attachments``: the record's rows in id order, when the caller has them.)"""
    body = {
        "meeting": record.meeting_id, "org": record.org_id, "version": record.version,
        "previous": record.previous_id, "chain_seq": record.chain_seq,
        # a correction also binds the hash of the version it corrects
        "previous_hash": record.previous.content_hash if record.previous_id else None,
        "meeting_name": record.meeting_name, "type_name": record.type_name, "session_label": record.session_label,
        "starts_at": _iso(record.starts_at), "ends_at": _iso(record.ends_at), "place": record.place,
        "host": record.host_id, "host_name": record.host_name, "recorder": record.recorder_id,
        "recorder_name": record.recorder_name, "should_attend": record.should_attend, "attended": record.attended,
        "present_names": record.present_names, "absentees": record.absentees, "sitting_in": record.sitting_in,
        "agenda": record.agenda, "speeches": record.speeches, "decisions": record.decisions,
        "open_items": record.open_items, "summary": record.summary, "correction_reason": record.correction_reason,
        "host_signed_at": _iso(record.host_signed_at), "host_signed_by": record.host_signed_by_id,
        "recorder_signed_at": _iso(record.recorder_signed_at), "recorder_signed_by": record.recorder_signed_by_id,
        "signed_at": _iso(record.signed_at),
        "votes": [
            [v.motion, v.kind, v.candidate, v.voters_total, v.voters_present, v.yes, v.no, v.abstain,
             v.written_yes, v.written_total, v.passed]
            for v in (votes if votes is not None else Vote.objects.filter(record_id=record.pk).order_by("id"))
        ],
        "attachments": [
            [a.kind, a.title, a.original_name, a.content_type, a.size, a.sha256]
            for a in (attachments if attachments is not None else Attachment.objects.filter(record_id=record.pk).order_by("id"))
        ],
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def record_hash(prev_hash: str, record: MeetingRecord, votes=None, attachments=None) -> str:
    return hashlib.sha256((prev_hash + canonical(record, votes, attachments)).encode()).hexdigest()


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
        close_meeting(actor=actor, meeting=meeting)
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


# -- corrections ------------------------------------------------------------------------------

def correct(*, actor, record: MeetingRecord, reason: str) -> MeetingRecord:
    """A correction of a signed record is a new version (DOMAIN §11: append-only after
    sign-off): a draft copying the content, votes and attachments, linked to the old version,
    signed again by host and recorder. The old version stays readable; it is marked superseded
    when the new one is signed. Never an edit in place."""
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


# -- verification -----------------------------------------------------------------------------

@dataclass
class ChainResult:
    ok: bool
    checked: int
    broken: MeetingRecord | None = None
    reason: str = ""
    head: str = GENESIS


def verify_chain(org: Organization, *, actor=None) -> ChainResult:
    """Recompute the hash chain of an organization's signed records (DOMAIN §11 "records become
    append-only after sign-off (hash chain)") and report the first broken link."""
    expected_prev, seq, checked = GENESIS, 0, 0
    rows = MeetingRecord.objects.filter(org=org).filter(Q(chain_seq__isnull=False) | Q(status=RecordStatus.SIGNED))
    result = None
    rows = rows.select_related("previous").prefetch_related(Prefetch("votes", queryset=Vote.objects.order_by("id")),
                                 Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    for rec in rows.order_by("chain_seq", "id").iterator(chunk_size=500):
        seq += 1
        if rec.chain_seq != seq:
            result = ChainResult(False, checked, rec, _("a signed record is missing from the chain, or out of place"))
        elif rec.status != RecordStatus.SIGNED:
            result = ChainResult(False, checked, rec, _("a signed record was turned back into a draft"))
        elif rec.prev_hash != expected_prev:
            result = ChainResult(False, checked, rec, _("the link to the previous record does not match"))
        elif record_hash(rec.prev_hash, rec, list(rec.votes.all()), list(rec.attachments.all())) != rec.content_hash:
            result = ChainResult(False, checked, rec, _("the content was changed after sign-off"))
        if result is not None:
            break
        checked += 1
        expected_prev = rec.content_hash
    result = result or ChainResult(True, checked, None, "", expected_prev)
    if actor is not None:
        audit.record(actor=actor, action="minutes.verify", obj=org,
                     data={"ok": result.ok, "checked": result.checked, "broken": getattr(result.broken, "pk", None)})
    return result
