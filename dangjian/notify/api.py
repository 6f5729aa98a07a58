"""What other apps use of the notify app (the contract; the notify helper implements it).

``notify(recipients=..., kind=..., context=..., channels=..., org=...)`` writes in-app inbox rows
and outbox rows (SMS, e-mail) in the caller's transaction. Recipients may be users, members,
``RoleIn(org, role)`` ("the secretary of branch X") or ``Subtree(org, roles=...)``.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleIn:
    org: object
    role: str


@dataclass(frozen=True)
class Subtree:
    org: object
    roles: tuple[str, ...] | None = None  # None: every user with a role in the subtree


def register_kind(kind: str, *, title: dict[str, str], body: dict[str, str], link: str = "") -> None:
    """Message template per kind, ``{"zh-hans": ..., "en": ...}`` with ``{name}`` placeholders."""
    raise NotImplementedError


def notify(*, recipients, kind: str, context: dict, channels: tuple[str, ...] = ("inbox",), org=None, actor=None) -> int:
    """Send one message kind to the recipients on the channels; returns the number of inbox rows."""
    raise NotImplementedError
