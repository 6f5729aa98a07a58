"""Validation, normalization and masking of sensitive personal information.

National ID numbers follow GB 11643-1999: 17 digits + a check character computed with the
ISO 7064 MOD 11-2 weights below. Masking follows SECURITY.md; an ID number keeps its first four
characters only (``3707**************``, see :func:`mask_id_number`).
"""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_id_number(value: str) -> str:
    """Return the normalized ID number or raise ValidationError with a clear message."""
    v = normalize_id_number(value)
    if not ID_RE.match(v):
        raise ValidationError(_("An ID number has 18 characters: 17 digits and a digit or X."), code="id_format")
    try:
        dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside this ID number is not a real date."), code="id_birth") from None
    expected = id_check_char(v[:17])
    if v[17] != expected:
        raise ValidationError(
            _("The check digit of this ID number is wrong (GB 11643): expected %(c)s.") % {"c": expected},
            code="id_check",
        )
    return v


def birth_date_from_id(v: str) -> dt.date:
    return dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))


def gender_from_id(v: str) -> str:
    return "M" if int(v[16]) % 2 else "F"


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").removeprefix("+86")


def validate_phone(value: str) -> str:
    v = normalize_phone(value)
    if not PHONE_RE.match(v):
        raise ValidationError(_("A mobile number has 11 digits and starts with 1."), code="phone")
    return v


# Characters of an ID number a masked value keeps: the province and city (positions 1–4) only.
# Never any of positions 15–18 (sequence, whose last digit is the gender, and the check character):
# the birth date (7–14) and the gender are shown beside the mask on every roster, page, export and
# API answer, and the region (5–6) is one of a handful of codes per county, so those four would
# pin the number down (docs/decisions.md "Masked ID numbers keep only the first four characters").
ID_MASK_KEEP = 4


def mask_id_number(v: str | None) -> str:
    """``3707**************``: what a role without reveal sees of an ID number.

    With the birth date and gender known, the masked value still leaves the 3-digit sequence
    unknown: 500 candidates per region code, no check character to narrow them."""
    if not v:
        return ""
    return v[:ID_MASK_KEEP] + "*" * (len(v) - ID_MASK_KEEP) if len(v) > 8 else "*" * len(v)


def mask_phone(v: str | None) -> str:
    if not v:
        return ""
    return v[:3] + "****" + v[-4:] if len(v) >= 7 else "*" * len(v)


def mask_address(v: str | None) -> str:
    if not v:
        return ""
    return v[:6] + "****"


MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}
