"""Rotating, signed QR sign-in tokens (issue 4: "a QR code shown at the venue that rotates every
~30 seconds and is signed — a screenshot sent to an absent member stops working").

``token = "<meeting id>-<window>-<signature>"`` where ``window = floor(unix time / 30)`` and the
signature is an HMAC-SHA256 (Django's ``salted_hmac``) of ``"<meeting id>-<window>"`` keyed with
``SECRET_KEY`` + the meeting's own random ``signin_secret``. The current and the previous window
are accepted (a grace of up to 30 s after the code on the screen changed); anything else is
expired (an older window), forged (bad signature, or the id of another meeting) or malformed.
"""
from __future__ import annotations

import re
import time

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

WINDOW_SECONDS = 30
SALT = "dangjian.orglife.signin-qr"
TOKEN_RE = re.compile(r"^([1-9][0-9]{0,17})-([0-9]{1,12})-([0-9a-f]{32})$")


class TokenError(Exception):
    """Why a token is refused: ``code`` is "malformed", "forged" or "expired"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def window_of(ts: float | None = None) -> int:
    return int((time.time() if ts is None else ts) // WINDOW_SECONDS)


def _sign(meeting, window: int) -> str:
    secret = f"{settings.SECRET_KEY}:{meeting.signin_secret}"
    return salted_hmac(SALT, f"{meeting.pk}-{window}", secret=secret, algorithm="sha256").hexdigest()[:32]


def make_token(meeting, ts: float | None = None) -> str:
    """The token of the current 30-second window for this meeting."""
    w = window_of(ts)
    return f"{meeting.pk}-{w}-{_sign(meeting, w)}"


def parse(token: str) -> tuple[int, int, str]:
    """(meeting id, window, signature) of a well-formed token, else TokenError("malformed")."""
    m = TOKEN_RE.match(token or "")
    if not m:
        raise TokenError("malformed")
    return int(m.group(1)), int(m.group(2)), m.group(3)


def verify(meeting, token: str, ts: float | None = None) -> None:
    """Raise TokenError unless ``token`` is this meeting's token of the current or previous window."""
    meeting_id, window, sig = parse(token)
    if meeting_id != meeting.pk or not constant_time_compare(sig, _sign(meeting, window)):
        raise TokenError("forged")
    now = window_of(ts)
    if window > now:  # signed for the future: only possible with our key, so a clock problem
        raise TokenError("forged")
    if window < now - 1:
        raise TokenError("expired")


def seconds_left(ts: float | None = None) -> int:
    t = time.time() if ts is None else ts
    return WINDOW_SECONDS - int(t % WINDOW_SECONDS)
