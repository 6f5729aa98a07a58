"""What other apps use of the notify app (the contract; the notify helper implements it).

``notify(recipients=..., kind=..., context=..., channels=..., org=...)`` writes in-app inbox rows
and outbox rows (SMS, e-mail) in the caller's transaction. Recipients may be users, members,
``RoleIn(org, role)`` ("the secretary of branch X") or ``Subtree(org, roles=...)``.
"""
from __future__ import annotations

from dangjian.core.messages import RoleIn, Subtree, TemplateError

__all__ = ["RoleIn", "Subtree", "TemplateError", "notify", "unread_count"]

# Message kinds are declared in each app's messages.KINDS and registered from its ready() with
# dangjian.core.messages.register_kinds (decisions.md 37).


def notify(*, recipients, kind: str, context: dict, channels: tuple[str, ...] = ("inbox",), org=None, actor=None) -> int:
    """Send one message kind to the recipients on the channels; returns the number of inbox rows.

    Channels: ``"inbox"``, ``"sms"``, ``"email"``. Call it inside the business transaction, after
    your own permission check: it sends to exactly the recipients given and widens no scope.
    A context missing one of the kind's placeholders raises ``TemplateError`` before any write."""
    from .services import notify as _notify

    return _notify(recipients=recipients, kind=kind, context=context, channels=channels, org=org, actor=actor)


def unread_count(user) -> int:
    """How many unread messages the user's inbox holds."""
    from .services import unread_count as _unread

    return _unread(user)
