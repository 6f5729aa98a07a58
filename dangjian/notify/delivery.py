"""Outbox deliverers for the ``sms`` and ``email`` channels (registered in NotifyConfig.ready).

The outbox worker calls ``deliver(message)`` with its row (``id``, ``to``, ``payload``); a
raised exception makes it retry with backoff. The phone number is decrypted here, at delivery
time, from ``Member.phone``; it is never stored in the outbox row, a log line or an error.
"""
from __future__ import annotations

from django.core.mail import EmailMessage

from dangjian.members.api import Member

from . import sms


class NoAddress(RuntimeError):
    """The recipient has no phone / e-mail any more."""


def _field(message, name: str, default=None):
    if isinstance(message, dict):
        return message.get(name, default)
    return getattr(message, name, default)


def phone_for(ref: str) -> str:
    """Decrypt the phone behind ``member:<id>`` (or ``user:<id>``, through the user's member record)."""
    kind, _sep, raw_id = (ref or "").partition(":")
    if not raw_id.isdigit():
        raise NoAddress(f"bad SMS recipient reference {ref!r}")
    if kind == "member":
        m = Member.objects.filter(pk=int(raw_id)).only("phone").first()
    elif kind == "user":
        m = Member.objects.filter(user_id=int(raw_id)).only("phone").first()
    else:
        raise NoAddress(f"bad SMS recipient reference {ref!r}")
    phone = m.phone if m is not None else ""
    if not phone:
        raise NoAddress(f"{ref} has no phone number")
    return phone


def deliver_sms(message) -> None:
    payload = _field(message, "payload") or {}
    ref = str(_field(message, "id", "") or _field(message, "pk", ""))
    phone = phone_for(_field(message, "to", ""))
    sms.gateway().send(phone=phone, text=payload.get("text", ""), kind=payload.get("kind", ""),
                       params=payload.get("params") or {}, ref=ref)


def deliver_email(message) -> None:
    payload = _field(message, "payload") or {}
    to = _field(message, "to", "")
    if not to or "@" not in to:
        raise NoAddress("no e-mail address")
    text = payload.get("text", "")
    if payload.get("link"):
        text = f"{text}\n\n{payload['link']}"
    ref = str(_field(message, "id", "") or _field(message, "pk", ""))
    EmailMessage(subject=payload.get("subject", ""), body=text, to=[to], headers={"X-Dangjian-Outbox-Id": ref}).send()
