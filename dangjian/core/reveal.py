"""Why a clear value is revealed (SECURITY.md "field privacy"; PIPL art. 6 purpose limitation:
personal information is processed for a stated purpose, and each processing is recorded).

A reveal names one of :class:`RevealPurpose`; ``other`` needs a note that says what the purpose
is. :func:`clean_purpose` is the one check, used by the web page, the API and the services:
refusals are ``ValidationError`` s coded ``purpose_required``, ``purpose_invalid`` or
``purpose_note_required``.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NOTE_MAX = 200
NOTE_MIN = 2


class RevealPurpose(models.TextChoices):
    VERIFICATION = "verification", gettext_lazy("Check identity or record details")
    TRANSFER = "transfer", gettext_lazy("Transfer of the organizational relationship")
    CONTACT = "contact", gettext_lazy("Contact the member")
    POLITICAL_REVIEW = "political_review", gettext_lazy("Political review")
    REPORT = "report", gettext_lazy("Report or filing asked for by a superior organization")
    OTHER = "other", gettext_lazy("Other (say which)")


def meaningful(text: str) -> bool:
    """At least two characters and at least one letter (Chinese characters count): not blank,
    not a number, not punctuation."""
    text = (text or "").strip()
    return len(text) >= NOTE_MIN and any(ch.isalpha() for ch in text)


def clean_purpose(purpose, note="") -> tuple[str, str]:
    """``(purpose, note)`` checked and normalized, or a coded ``ValidationError``."""
    if purpose is None or (isinstance(purpose, str) and not purpose.strip()):
        raise ValidationError({"purpose": [ValidationError(_("Say why the clear value is needed."), code="purpose_required")]})
    if not isinstance(purpose, str) or purpose.strip() not in RevealPurpose.values:
        raise ValidationError({"purpose": [ValidationError(_("Choose one of the listed purposes."), code="purpose_invalid")]})
    purpose = purpose.strip()
    if not isinstance(note, str):
        raise ValidationError({"purpose_note": [ValidationError(_("Describe the purpose in words."), code="purpose_invalid")]})
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"purpose_note": [ValidationError(_("At most %(n)d characters.") % {"n": NOTE_MAX}, code="purpose_invalid")]})
    if purpose == RevealPurpose.OTHER and not meaningful(note):
        raise ValidationError({"purpose_note": [ValidationError(_("Describe the purpose in words."), code="purpose_note_required")]})
    if note and not meaningful(note):
        raise ValidationError({"purpose_note": [ValidationError(_("Describe the purpose in words."), code="purpose_invalid")]})
    return purpose, note
