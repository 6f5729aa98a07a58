"""Personal data in public texts (rule P6 of ``services``; DOMAIN §10 and §11 "Personal information
& security": ID number and phone are personal information that is encrypted and masked everywhere;
issue 5: the public pages show "no personal data beyond what the notice itself publishes").

Pure functions, no database:

* :func:`find_id_numbers` — Chinese resident ID numbers (GB 11643, 18 characters) in a text. A run
  of 18 characters counts only when it stands alone (not inside a longer run of digits/letters)
  **and** passes ``dangjian.core.privacy.validate_id_number`` (real birth date, MOD 11-2 check
  character): an 18-digit order number or account number is not mistaken for one (it passes the
  check character by chance only 1 time in 11 *and* needs a real date). The grouped form
  ``370702 19900101 1234`` is recognised too. Old 15-digit numbers are **not** detected: the core
  helper validates only 18-character numbers and a 15-digit number has no check character, so
  every 15-digit amount or serial with a date-like middle would be refused.
* :func:`find_mobiles` — mainland mobile numbers ``1[3-9]`` + 9 digits (also ``138 1234 5678``,
  ``138-1234-5678`` and with ``+86``), not part of a longer digit run.

Texts are scanned with full-width digits (１３８…) read as ASCII, so they are found as well.
The hits are returned **masked** (``dangjian.core.privacy.mask_id_number`` / ``mask_phone``): the
messages that name them never repeat the full number.
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from dangjian.core.privacy import mask_id_number, mask_phone, validate_id_number

_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6}[ -]?\d{8}[ -]?\d{3}[0-9Xx])(?![0-9A-Za-z])", re.ASCII)
_MOBILE_RE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?(1[3-9]\d(?:[ -]?\d{4}){2})(?![0-9])", re.ASCII)


_WIDE = str.maketrans("０１２３４５６７８９Ｘｘ＋－　", "0123456789Xx+- ")


def _normalise(text: str) -> str:
    """Full-width digits, X, plus, hyphen and space as ASCII — one character for one, so positions
    in the result are positions in ``text``."""
    return (text or "").translate(_WIDE)


def find_id_numbers(text: str) -> list[str]:
    """Valid 18-character ID numbers in ``text``, masked, in order of appearance, without repeats."""
    out: list[str] = []
    for m in _ID_RE.finditer(_normalise(text)):
        raw = re.sub(r"[ -]", "", m.group(1))
        try:
            v = validate_id_number(raw)
        except ValidationError:
            continue
        masked = mask_id_number(v)
        if masked not in out:
            out.append(masked)
    return out


def find_mobiles(text: str) -> list[str]:
    """Mainland mobile numbers in ``text``, masked, in order of appearance, without repeats. Digits
    already taken by an ID number are not looked at again."""
    t = _normalise(text)
    for m in _ID_RE.finditer(t):
        raw = re.sub(r"[ -]", "", m.group(1))
        try:
            validate_id_number(raw)
        except ValidationError:
            continue
        t = t[:m.start(1)] + "#" * len(m.group(1)) + t[m.end(1):]
    out: list[str] = []
    for m in _MOBILE_RE.finditer(t):
        masked = mask_phone(re.sub(r"[ -]", "", m.group(1)))
        if masked not in out:
            out.append(masked)
    return out


def mask_numbers(text: str, *, phones: bool = True) -> str:
    """``text`` with every ID number (and, with ``phones``, every mobile number) found replaced by
    its masked form; the rest of the text is unchanged. Used to quote a text in a message (a file
    name) and, as a second line of defence, on the public pages."""
    text = text or ""
    t = _normalise(text)
    spans = []
    for m in _ID_RE.finditer(t):
        try:
            v = validate_id_number(re.sub(r"[ -]", "", m.group(1)))
        except ValidationError:
            continue
        spans.append((m.start(1), m.end(1), mask_id_number(v)))
    if phones:
        blanked = t
        for a, b, _m in spans:
            blanked = blanked[:a] + "#" * (b - a) + blanked[b:]
        spans += [(m.start(1), m.end(1), mask_phone(re.sub(r"[ -]", "", m.group(1)))) for m in _MOBILE_RE.finditer(blanked)]
    for a, b, masked in sorted(spans, reverse=True):
        text = text[:a] + masked + text[b:]
    return text
