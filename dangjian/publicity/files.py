"""Attachment checks: type by content (not by name), size limits, images re-encoded.

SECURITY / brief "Files": MEDIA_ROOT is private; images are re-encoded with Pillow so EXIF
(GPS position, camera serial) never reaches the public board; xlsx must be a real OOXML
workbook without macros; pdf must start with its signature. Limits are settings:

* ``PUBLICITY_MAX_ATTACHMENT_BYTES`` (default 10 MB per file),
* ``PUBLICITY_MAX_ATTACHMENTS`` (default 10 per version),
* ``PUBLICITY_MAX_IMAGE_PIXELS`` (default 40 M pixels; larger images are refused).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core import uploads

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def max_bytes() -> int:
    return int(getattr(settings, "PUBLICITY_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))


def max_count() -> int:
    return int(getattr(settings, "PUBLICITY_MAX_ATTACHMENTS", 10))


def max_pixels() -> int:
    return int(getattr(settings, "PUBLICITY_MAX_IMAGE_PIXELS", 40_000_000))


@dataclass
class CleanFile:
    name: str
    content: bytes
    content_type: str


def _read(upload) -> tuple[str, bytes]:
    """Accept an UploadedFile / File, or a (name, bytes) pair."""
    if isinstance(upload, tuple | list):
        name, data = upload
        return str(name), bytes(data)
    name = getattr(upload, "name", "") or "file"
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise ValidationError(_("%(name)s is too large (at most %(mb)s MB).") % {"name": os.path.basename(name), "mb": max_bytes() // (1024 * 1024)}, code="too_big")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes() + 1)
    return os.path.basename(name), data


def _safe_name(name: str, ext: str) -> str:
    base = os.path.splitext(os.path.basename(name))[0].strip() or "file"
    base = "".join(ch for ch in base if ch not in '\\/:*?"<>|\x00').strip()[:120] or "file"
    return f"{base}.{ext}"


def _image(name: str, data: bytes) -> CleanFile:
    try:
        content, ext, ctype = uploads.reencode_image(data, max_pixels=max_pixels(), jpeg_quality=88)
    except uploads.BadFile as exc:
        if exc.code == "too_big":
            raise ValidationError(_("%(name)s: the image is too large.") % {"name": name}, code="too_big") from exc
        raise ValidationError(_("%(name)s is not a readable image.") % {"name": name}, code="bad_image") from exc
    return CleanFile(_safe_name(name, ext), content, ctype)


def _hostile(name: str, code: str) -> ValidationError:
    """A file core.uploads found hostile, refused with the shared code (issue 10 item 11)."""
    messages = {
        "macros": _("%(name)s contains macros; save it as a plain .xlsx workbook."),
        "zip_bomb": _("%(name)s unpacks to too much data."),
        "size_mismatch": _("%(name)s: the declared sizes do not match the content."),
        "ole_object": _("%(name)s contains embedded objects; they are not accepted."),
        "dde": _("%(name)s contains DDE formulas or links; they are not accepted."),
        "external_ref": _("%(name)s loads remote content (a template or a link); it is not accepted."),
        "pdf_active": _("%(name)s contains scripts or actions; they are not accepted in a PDF."),
        "polyglot": _("%(name)s also contains web page markup; it is not accepted."),
    }
    return ValidationError(messages.get(code, _("%(name)s is not an Excel workbook (.xlsx).")) % {"name": name},
                           code=code if code in messages else "not_xlsx")


def _pdf(name: str, data: bytes) -> CleanFile:
    try:
        uploads.check_pdf(data)
    except uploads.BadFile as exc:
        raise _hostile(name, exc.code) from exc
    return CleanFile(_safe_name(name, "pdf"), data, "application/pdf")


def _xlsx(name: str, data: bytes) -> CleanFile:
    try:
        names = uploads.check_ooxml(data, max_entries=10_000, max_uncompressed=20 * max_bytes())
    except uploads.BadFile as exc:
        raise _hostile(name, exc.code) from exc
    if not any(n.startswith("xl/") for n in names):
        raise ValidationError(_("%(name)s is not an Excel workbook (.xlsx).") % {"name": name}, code="not_xlsx")
    return CleanFile(_safe_name(name, "xlsx"), data, XLSX)


def clean_attachment(upload) -> CleanFile:
    """Check one file; return what may be stored (images re-encoded). ValidationError otherwise."""
    name, data = _read(upload)
    if len(data) > max_bytes():
        raise ValidationError(_("%(name)s is too large (at most %(mb)s MB).") % {"name": name, "mb": max_bytes() // (1024 * 1024)}, code="too_big")
    if not data:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    kind = uploads.sniff(data[:16])
    if kind == "pdf":
        return _pdf(name, data)
    if kind == "zip":
        return _xlsx(name, data)
    if kind in ("jpeg", "png", "gif", "webp"):
        return _image(name, data)
    raise ValidationError(_("%(name)s: only PDF, images (JPEG, PNG, GIF, WebP) and Excel workbooks (.xlsx) may be attached.") % {"name": name}, code="bad_type")
