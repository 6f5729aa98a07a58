"""Attachments (Attachment) of a draft record: sign-in sheet, photos, materials (DOMAIN §1.3
practice extras), checked by content — images re-encoded without EXIF/GPS, office files and PDFs
refused when hostile (core.uploads; SECURITY.md "files")."""
from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, policy, uploads

from ..models import Attachment, AttachmentKind, MeetingRecord
from ._common import _require_draft, _touch

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
    policy.authorize(actor, "meeting", "record", record)
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
    policy.authorize(actor, "meeting", "record", attachment)
    with transaction.atomic():
        record = _require_draft(attachment.record)
        audit.record(actor=actor, action="minutes.attachment_delete", obj=attachment, data={"record": record.pk, "sha256": attachment.sha256})
        name = attachment.file.name
        attachment.delete()
        _touch(record)
        if not Attachment.objects.filter(file=name).exists():
            transaction.on_commit(lambda: attachment.file.storage.delete(name))
