"""Attachment checks: type by content (not by name), size limits, images re-encoded.

SECURITY / brief "Files": MEDIA_ROOT is private; images are re-encoded with Pillow so EXIF
(GPS position, camera serial) never reaches the public board; xlsx must be a real OOXML
workbook without macros; pdf must start with its signature. Limits are settings:

* ``PUBLICITY_MAX_ATTACHMENT_BYTES`` (default 10 MB per file),
* ``PUBLICITY_MAX_ATTACHMENTS`` (default 10 per version),
* ``PUBLICITY_MAX_IMAGE_PIXELS`` (default 40 M pixels; larger images are refused).
"""
from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
        raise ValidationError(_("%(name)s is too large (at most %(mb)s MB).") % {"name": os.path.basename(name), "mb": max_bytes() // (1024 * 1024)})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes() + 1)
    return os.path.basename(name), data


def _safe_name(name: str, ext: str) -> str:
    base = os.path.splitext(os.path.basename(name))[0].strip() or "file"
    base = "".join(ch for ch in base if ch not in '\\/:*?"<>|\x00').strip()[:120] or "file"
    return f"{base}.{ext}"


def _image(name: str, data: bytes) -> CleanFile:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = max_pixels()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > max_pixels():
                raise ValidationError(_("%(name)s: the image is too large.") % {"name": name})
            img = ImageOps.exif_transpose(img)  # keep the visible orientation, then drop EXIF
            out = io.BytesIO()
            if fmt == "JPEG":
                img.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
                return CleanFile(_safe_name(name, "jpg"), out.getvalue(), "image/jpeg")
            if img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                img = img.convert("RGBA")
            img.save(out, "PNG", optimize=True)
            return CleanFile(_safe_name(name, "png"), out.getvalue(), "image/png")
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 (any decoder error means: not an image we accept)
        raise ValidationError(_("%(name)s is not a readable image.") % {"name": name}) from exc


def _xlsx(name: str, data: bytes) -> CleanFile:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            total = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("%(name)s is not an Excel workbook (.xlsx).") % {"name": name}) from exc
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ValidationError(_("%(name)s is not an Excel workbook (.xlsx).") % {"name": name})
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ValidationError(_("%(name)s contains macros; save it as a plain .xlsx workbook.") % {"name": name})
    if total > 20 * max_bytes():
        raise ValidationError(_("%(name)s unpacks to too much data.") % {"name": name})
    return CleanFile(_safe_name(name, "xlsx"), data, XLSX)


def clean_attachment(upload) -> CleanFile:
    """Check one file; return what may be stored (images re-encoded). ValidationError otherwise."""
    name, data = _read(upload)
    if len(data) > max_bytes():
        raise ValidationError(_("%(name)s is too large (at most %(mb)s MB).") % {"name": name, "mb": max_bytes() // (1024 * 1024)})
    if not data:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    if data.startswith(b"%PDF-"):
        return CleanFile(_safe_name(name, "pdf"), data, "application/pdf")
    if data.startswith(b"PK\x03\x04"):
        return _xlsx(name, data)
    if data[:3] == b"\xff\xd8\xff" or data.startswith(b"\x89PNG\r\n\x1a\n") or data[:6] in (b"GIF87a", b"GIF89a") or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return _image(name, data)
    raise ValidationError(_("%(name)s: only PDF, images (JPEG, PNG, GIF, WebP) and Excel workbooks (.xlsx) may be attached.") % {"name": name})
