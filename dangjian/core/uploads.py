"""Uploaded files, checked by content: the one place that re-encodes images and opens OOXML.

Used by meeting records (minutes), publicity notices and development documents. Each caller
keeps its own limits and wording; these functions only decide and raise :class:`BadFile`.
"""
from __future__ import annotations

import io
import zipfile


class BadFile(Exception):
    """The content is not what it claims, or is too big to open safely (``code`` says which)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def sniff(head: bytes) -> str | None:
    """The file type from its first bytes: jpeg, png, gif, webp, pdf, zip (OOXML), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def reencode_image(data: bytes, *, max_pixels: int, jpeg_quality: int = 85) -> tuple[bytes, str, str]:
    """Decode and re-encode a photo: EXIF (GPS, camera serial), XMP, comments and anything
    appended are dropped; the visible orientation is kept. JPEG and WebP become JPEG, PNG and
    GIF become PNG. Returns (bytes, extension, content type); BadFile("too_big" | "bad_image")."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as probe:  # header only: size before decoding
            fmt = probe.format
            if probe.width * probe.height > max_pixels:
                raise BadFile("too_big")
            probe.verify()
        img = Image.open(io.BytesIO(data))
        img = ImageOps.exif_transpose(img)
        img.load()
    except BadFile:
        raise
    except Exception as exc:  # noqa: BLE001 (Pillow raises many kinds: DecompressionBombError, OSError, SyntaxError...)
        raise BadFile("bad_image") from exc
    out = io.BytesIO()
    if fmt in ("PNG", "GIF"):
        if img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            img = img.convert("RGBA")
        img.save(out, format="PNG", optimize=True)
        return out.getvalue(), "png", "image/png"
    img.convert("RGB").save(out, format="JPEG", quality=jpeg_quality, optimize=True)
    return out.getvalue(), "jpg", "image/jpeg"


def ooxml_names(data: bytes, *, max_entries: int, max_uncompressed: int) -> set[str]:
    """The part names of an Office Open XML file (xlsx, docx), refusing what must not be opened:
    BadFile("bad_zip" | "zip_bomb" | "macros" | "not_ooxml")."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise BadFile("bad_zip") from exc
    if len(infos) > max_entries or sum(i.file_size for i in infos) > max_uncompressed:
        raise BadFile("zip_bomb")
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise BadFile("macros")
    if "[Content_Types].xml" not in names:
        raise BadFile("not_ooxml")
    return names
