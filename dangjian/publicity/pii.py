"""Personal data in public texts (rule P6 of ``services``; DOMAIN §10 and §11 "Personal information
& security": ID number and phone are personal information that is encrypted and masked everywhere;
issue 5: the public pages show "no personal data beyond what the notice itself publishes").

Pure functions, no database:

* :func:`find_id_numbers` — Chinese resident ID numbers (GB 11643, 18 characters) in a text. A
  candidate counts only when it stands alone (not inside a longer run of digits/letters) **and**
  passes ``dangjian.core.privacy.validate_id_number`` (real birth date, MOD 11-2 check
  character): an 18-digit order number or account number is not mistaken for one (it passes the
  check character by chance only 1 time in 11 *and* needs a real date). Old 15-digit numbers are
  **not** detected: the core helper validates only 18-character numbers and a 15-digit number has
  no check character, so every 15-digit amount or serial with a date-like middle would be refused.
* :func:`find_mobiles` — mainland mobile numbers ``1[3-9]`` + 9 digits, not part of a longer
  digit run, written in at most four groups (``138 1234 5678``, ``+86 138-1234-5678``).
* :func:`attachment_text` — the text of an attachment (PDF text with pypdf, the values of every
  cell of an xlsx workbook, the text runs of a docx), to be scanned like a notice's text. Images
  are not OCRed (docs/decisions.md, "Personal data inside attachments").

Normalisation (issue 10 item 9: numbers written with a non-breaking space, a zero-width space,
dots or in groups of 4 were published unmasked). Before matching, the text is folded character by
character, remembering where each folded character came from: NFKC (full-width digits, X, plus,
full stop, solidus), every Unicode decimal digit as its ASCII digit, every Unicode space as a
space, every dash as ``-``, and format characters (zero-width space / joiner, word joiner, BOM,
soft hyphen, bidi marks) dropped. Then the digits are cut into *groups* (maximal digit runs; an ID
number's last group may end in X); two groups belong to the same *run* when only 1–3 separator
characters stand between them (spaces, line breaks, ``. - / _`` and middle dots ``· ‧ ・ • ∙ ⋅``).
A candidate is a sequence of **whole** consecutive groups of one run — never part of a group, so
``6{ID}5`` or a 20-digit account stays one group and no ID number — with 18 characters for an ID
number (then validated as above) or 11 digits in at most four groups for a mobile number. So
dates (``2026.11.30``, ``2026-11-30``: 8 digits), money (``1,234.50``: a comma is no separator),
counts and 18-digit strings failing the check character are left alone. The hits are returned
**masked** (``mask_id_number`` / ``mask_phone``), and :func:`mask_numbers` maps each hit back to
the span of the original text it came from.
"""
from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from dangjian.core.privacy import mask_id_number, mask_phone, validate_id_number

MOBILE_MAX_GROUPS = 4
_SEPARATORS = " \t\r\n\f\v.-/_·‧・•∙⋅"
_SEP_RE = re.compile("[" + re.escape(_SEPARATORS) + "]{1,3}")
_GROUP_RE = re.compile(r"[0-9]+(?:[Xx](?![0-9A-Za-z]))?", re.ASCII)
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)


def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch
    cat = unicodedata.category(ch)
    if cat == "Cf":  # zero-width space/joiners, word joiner, BOM, soft hyphen, bidi marks
        return ""
    d = unicodedata.decimal(ch, None)
    if d is not None:  # full-width, Arabic-Indic, mathematical... digits
        return str(d)
    if ch.isspace() or cat in ("Zs", "Zl", "Zp"):
        return " "
    if cat == "Pd":
        return "-"
    return unicodedata.normalize("NFKC", ch)


def _fold(text: str) -> tuple[str, list[int]]:
    """``text`` folded (see the module docstring) and, for each folded character, its index in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text or ""):
        f = _fold_char(ch)
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


@dataclass(frozen=True)
class Hit:
    kind: str  # "id" | "mobile"
    value: str  # the normalised number (never shown)
    masked: str
    start: int  # span in the original text
    end: int


def _runs(folded: str) -> list[list[re.Match]]:
    runs: list[list[re.Match]] = []
    prev = None
    for m in _GROUP_RE.finditer(folded):
        if prev is not None and not prev.group().upper().endswith("X") and _SEP_RE.fullmatch(folded, prev.end(), m.start()):
            runs[-1].append(m)
        else:
            runs.append([m])
        prev = m
    return runs


def _letter_before(folded: str, m: re.Match) -> bool:
    return m.start() > 0 and folded[m.start() - 1].isascii() and folded[m.start() - 1].isalpha()


def _letter_after(folded: str, m: re.Match) -> bool:
    return m.end() < len(folded) and folded[m.end()].isascii() and folded[m.end()].isalpha()


# Groupings read as one phone number when only spaces stand between the groups: how numbers are
# written (138 1234 5678, 1381 234 5678, 138 12345678, one digit at a time). Other space-separated
# groups (``合计 1500 2300 600 元``: three amounts) are not joined into a phone number.
PHONE_SPACE_GROUPINGS = {(11,), (3, 4, 4), (4, 3, 4), (3, 8), (7, 4)}


def _phone_grouping(folded: str, groups: list[re.Match]) -> bool:
    seps = {folded[a.end():b.start()] for a, b in zip(groups, groups[1:], strict=False)}
    if any(set(s) - {" "} for s in seps):
        return True  # dots, dashes, slashes, line breaks: written as one number on purpose
    return tuple(len(g.group()) for g in groups) in PHONE_SPACE_GROUPINGS


def scan(text: str, *, phones: bool = True) -> list[Hit]:
    """Every ID number (and, with ``phones``, every mobile number) in ``text``, in order, with the
    span it occupies in ``text``. The digits of an ID number are not read again as a phone."""
    text = text or ""
    folded, where = _fold(text)
    hits: list[Hit] = []
    for run in _runs(folded):
        taken = [False] * len(run)
        for kind in ("id", "mobile") if phones else ("id",):
            i = 0
            while i < len(run):
                found = None
                if not taken[i] and not _letter_before(folded, run[i]):
                    digits = ""
                    for j in range(i, len(run)):
                        if taken[j]:
                            break
                        digits += run[j].group()
                        if kind == "mobile" and j - i + 1 > MOBILE_MAX_GROUPS:
                            break
                        if len(digits) > (18 if kind == "id" else 11):
                            break
                        ends_x = digits[-1] in "Xx"
                        if ends_x and (kind == "mobile" or len(digits) != 18):
                            break
                        if _letter_after(folded, run[j]):
                            continue
                        if kind == "id" and len(digits) == 18:
                            try:
                                v = validate_id_number(digits)
                            except ValidationError:
                                break
                            found = (j, v, mask_id_number(v))
                        elif kind == "mobile" and len(digits) == 11 and _MOBILE_RE.fullmatch(digits) \
                                and _phone_grouping(folded, run[i:j + 1]):
                            found = (j, digits, mask_phone(digits))
                        if found:
                            break
                if found:
                    j, v, masked = found
                    for k in range(i, j + 1):
                        taken[k] = True
                    hits.append(Hit(kind, v, masked, where[run[i].start()], where[run[j].end() - 1] + 1))
                    i = j + 1
                else:
                    i += 1
    hits.sort(key=lambda h: h.start)
    return hits


def _unique(values) -> list[str]:
    out: list[str] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def find_id_numbers(text: str) -> list[str]:
    """Valid 18-character ID numbers in ``text``, masked, in order of appearance, without repeats."""
    return _unique(h.masked for h in scan(text, phones=False))


def find_mobiles(text: str) -> list[str]:
    """Mainland mobile numbers in ``text``, masked, in order of appearance, without repeats. Digits
    already taken by an ID number are not looked at again."""
    return _unique(h.masked for h in scan(text) if h.kind == "mobile")


def mask_numbers(text: str, *, phones: bool = True) -> str:
    """``text`` with every ID number (and, with ``phones``, every mobile number) found replaced by
    its masked form; the rest of the text is unchanged. Used to quote a text in a message (a file
    name) and, as a second line of defence, on the public pages."""
    text = text or ""
    for h in sorted(scan(text, phones=phones), key=lambda h: h.start, reverse=True):
        text = text[:h.start] + h.masked + text[h.end:]
    return text


# -- the text of attachments ------------------------------------------------------------------------

MAX_TEXT_CHARS = 2_000_000  # what is scanned of one attachment
MAX_PDF_PAGES = 500
MAX_XLSX_CELLS = 1_000_000
MAX_DOCX_PART_BYTES = 50 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CELL_SEPARATOR = " | "  # not a separator of digit groups: a number is not assembled across cells


def _pdf_text(data: bytes) -> str:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return ""
        out, size = [], 0
        for n, page in enumerate(reader.pages):
            if n >= MAX_PDF_PAGES or size > MAX_TEXT_CHARS:
                break
            t = page.extract_text() or ""
            out.append(t)
            size += len(t)
        return "\n".join(out)
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError, RecursionError, NotImplementedError):
        return ""  # not readable by pypdf: nothing to scan (the file passed P5 as a PDF)


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a broken workbook
        return ""
    out, cells = [], 0
    try:
        for ws in wb.worksheets:
            out.append(str(ws.title))
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if value is None:
                        continue
                    cells += 1
                    if cells > MAX_XLSX_CELLS:
                        return CELL_SEPARATOR.join(out)
                    out.append(str(value))
    except Exception:  # noqa: BLE001, S110 - a sheet broken half-way: what was read so far is scanned  # nosec B110
        pass
    finally:
        wb.close()
    return CELL_SEPARATOR.join(out)


_W_PARA_RE = re.compile(rb"<w:p[ >].*?</w:p>|<w:p/>", re.S)
_W_TEXT_RE = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:(tab|br|cr)\b[^>]*/>")


def _docx_text(data: bytes) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return ""
    out = []
    with zf:
        for info in zf.infolist():
            n = info.filename
            if not (n.startswith("word/") and n.endswith(".xml")) or info.file_size > MAX_DOCX_PART_BYTES:
                continue
            try:
                xml = zf.read(info)
            except (zipfile.BadZipFile, OSError, NotImplementedError, EOFError, ValueError):
                continue
            for para in _W_PARA_RE.findall(xml):
                parts = [(m.group(1) if m.group(1) is not None else b" ") for m in _W_TEXT_RE.finditer(para)]
                out.append(html.unescape(b"".join(parts).decode("utf-8", "replace")))
    return "\n".join(out)


def attachment_text(data: bytes, content_type: str = "") -> str:
    """The text of an attachment to scan for personal data: PDF page text, xlsx cell values (all
    sheets, one cell never joined with the next), docx paragraphs. Images and unreadable files:
    ``""`` (no OCR)."""
    data = data or b""
    if content_type == "application/pdf" or data.startswith(b"%PDF-"):
        text = _pdf_text(data)
    elif data.startswith(b"PK"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError):
            return ""
        if content_type == XLSX or any(n.startswith("xl/") for n in names):
            text = _xlsx_text(data)
        elif content_type == DOCX or "word/document.xml" in names:
            text = _docx_text(data)
        else:
            return ""
    else:
        return ""
    return text[:MAX_TEXT_CHARS]
