"""Uploaded files, checked by content: the one place that re-encodes images and opens OOXML.

Used by meeting records (minutes), publicity notices and development documents. Each caller
keeps its own limits and wording; these functions only decide and raise :class:`BadFile`.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
import zlib


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


# -- hostile office files and PDFs (issue 10 item 11) -------------------------------------------------
# One check for every upload that keeps an Office file or a PDF: the roster import (members), the
# minutes attachments and the publicity attachments. Codes of BadFile:
#   bad_zip, zip_bomb, size_mismatch (a part's declared size is not its content), not_ooxml,
#   macros (vbaProject, macro content types, Excel 4.0 macro sheets), ole_object (embedded OLE /
#   ActiveX), dde (DDE formulas or fields, DDE links), external_ref (remote template, linked
#   OLE object, external workbook link: any external relationship but a hyperlink),
#   pdf_active (JavaScript, launch or form-submit actions), polyglot (HTML/script markup in a PDF).

MACRO_MARKERS = ("vbaproject", "macroenabled", "vnd.ms-office.activex", "vnd.ms-excel.sheet.macro", "vnd.ms-excel.addin",
                 "macrosheet+xml", "vnd.ms-excel.intlmacrosheet", "vnd.ms-word.vbadata", "vnd.ms-office.vbaproject")
OLE_MARKERS = ("oleobject", "vnd.ms-office.activex", "/embeddings/", "activex/")
RATIO_MIN_BYTES = 1024 * 1024
_REL_RE = re.compile(rb"<Relationship\b[^>]*>", re.I)
_ATTR_RE = re.compile(rb'(\w+)\s*=\s*"([^"]*)"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f\b[^>]*>([^<]*)</(?:\w+:)?f>", re.I)
_DOC_DDE_RE = re.compile(rb"\bDDE(?:AUTO)?\b", re.I)
_PDF_ACTIVE_RE = re.compile(rb"/(?:JavaScript|JS|Launch|SubmitForm|ImportData|RichMedia)(?![A-Za-z0-9])")
_HTML_RE = re.compile(rb"<\s*(?:html|script|body|head|iframe|svg|object|embed|meta|a\s+href|img\s|!doctype\s+html)\b", re.I)


def _read_parts(zf: zipfile.ZipFile, infos, max_uncompressed: int) -> dict[str, bytes]:
    """Every part read with its declared size as the bound: a part whose content is longer or
    shorter than declared (or fails its CRC) is a lie about the size -> size_mismatch."""
    parts: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        try:
            with zf.open(info) as fh:
                data = fh.read(info.file_size + 1)
                extra = fh.read(1) if len(data) == info.file_size else b""
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise BadFile("size_mismatch") from exc
        if len(data) != info.file_size or extra:
            raise BadFile("size_mismatch")
        total += len(data)
        if total > max_uncompressed:
            raise BadFile("zip_bomb")
        parts[info.filename] = data
    return parts


def _formula_is_dde(formula: bytes) -> bool:
    text = html.unescape(formula.decode("utf-8", "replace"))
    text = re.sub(r'"[^"]*"', "", text)  # pipes inside string literals are text
    return "|" in text


def check_ooxml(data: bytes, *, max_entries: int, max_uncompressed: int, max_ratio: int = 100) -> set[str]:
    """Open an OOXML file (xlsx, docx) only as far as needed to refuse what must not be kept or
    handed to Office: sizes first (entries, declared total, compression ratio, declared vs real
    size), then macros, embedded or linked objects, DDE and external relationships. Returns the
    part names; BadFile(code) otherwise (codes above)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise BadFile("bad_zip") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > max_entries or sum(i.file_size for i in infos) > max_uncompressed:
            raise BadFile("zip_bomb")
        if any(i.file_size > RATIO_MIN_BYTES and i.file_size > max_ratio * max(i.compress_size, 1) for i in infos):
            raise BadFile("zip_bomb")
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names:
            raise BadFile("not_ooxml")
        parts = _read_parts(zf, infos, max_uncompressed)
    lower = {n.lower() for n in names}
    content_types = parts.get("[Content_Types].xml", b"").decode("utf-8", "replace").lower()
    if any(n.endswith("vbaproject.bin") or "macrosheets/" in n for n in lower) or any(m in content_types for m in MACRO_MARKERS):
        raise BadFile("macros")
    if any(m in n for n in lower for m in OLE_MARKERS) or "oleobject" in content_types:
        raise BadFile("ole_object")
    if any(n.startswith("xl/externallinks/") for n in lower):
        link = b"".join(v for k, v in parts.items() if k.lower().startswith("xl/externallinks/"))
        raise BadFile("dde" if b"ddelink" in link.lower() else "external_ref")
    for name, body in parts.items():
        low = name.lower()
        if low.endswith(".rels"):
            for rel in _REL_RE.findall(body):
                attrs = {k.lower(): v for k, v in _ATTR_RE.findall(rel)}
                if attrs.get(b"targetmode", b"").lower() == b"external" and not attrs.get(b"type", b"").lower().endswith(b"/hyperlink"):
                    raise BadFile("external_ref")
        elif low.startswith("xl/") and low.endswith(".xml"):
            if any(_formula_is_dde(f) for f in _FORMULA_RE.findall(body)):
                raise BadFile("dde")
        elif low.startswith("word/") and low.endswith(".xml") and (b"instrText" in body or b"fldSimple" in body):
            instr = b" ".join(re.findall(rb"<w:instrText[^>]*>([^<]*)<", body) + re.findall(rb'w:instr="([^"]*)"', body))
            if _DOC_DDE_RE.search(instr):
                raise BadFile("dde")
    return names


def check_pdf(data: bytes) -> None:
    """A PDF to keep and serve: it starts with its signature, runs nothing (JavaScript, launch,
    form submission) and is not also an HTML page (a polyglot a browser would render and run).
    BadFile("not_pdf" | "pdf_active" | "polyglot")."""
    if not data.startswith(b"%PDF-"):
        raise BadFile("not_pdf")
    if _HTML_RE.search(data):
        raise BadFile("polyglot")
    # names may be written with #xx escapes (/J#61vaScript) and actions hidden in compressed
    # (object) streams: both are read as a PDF reader would before matching
    for chunk in (data, *_pdf_streams(data)):
        if _PDF_ACTIVE_RE.search(_PDF_HEX_RE.sub(lambda m: bytes([int(m.group(1), 16)]), chunk)):
            raise BadFile("pdf_active")


_PDF_HEX_RE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM_RE = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
PDF_INFLATE_MAX = 64 * 1024 * 1024


def _pdf_streams(data: bytes):
    """The Flate-decoded content of the PDF's streams, at most PDF_INFLATE_MAX bytes in all (more is
    a bomb: refused); streams that are not Flate data (images, other filters) are skipped."""
    budget = PDF_INFLATE_MAX
    for m in _PDF_STREAM_RE.finditer(data):
        d = zlib.decompressobj()
        try:
            out = d.decompress(m.group(1), budget + 1)
        except zlib.error:
            continue
        if len(out) > budget:
            raise BadFile("zip_bomb")
        budget -= len(out)
        yield out


def download_headers(response, *, filename: str, inline: bool = False):
    """Headers of every served upload: a server-made ASCII name, attachment unless it is a
    re-encoded image, no type sniffing, and a sandboxing CSP should a browser render it anyway."""
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
