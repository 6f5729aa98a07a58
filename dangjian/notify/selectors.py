"""Read side of the inbox: a user only ever reads their own messages and preferences."""
from __future__ import annotations

from .models import InboxMessage, NotificationPreference


def inbox_messages(user, *, unread_only: bool = False, kind: str = ""):
    """The user's own inbox, newest first; only unread ones with ``unread_only``, only one kind
    with ``kind`` (a queryset the page paginates)."""
    qs = InboxMessage.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def inbox_kinds(user) -> list[str]:
    """The message kinds present in the user's own inbox, sorted (the kind filter's choices)."""
    return list(InboxMessage.objects.filter(user=user).order_by("kind").values_list("kind", flat=True).distinct())


def preference_row(user, kind: str) -> NotificationPreference | None:
    """The user's own preference row for ``kind`` (``"*"``: all kinds), or None if never saved."""
    return NotificationPreference.objects.filter(user=user, kind=kind).first()
