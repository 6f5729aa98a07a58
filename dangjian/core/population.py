"""The members of the organizations, as the kernel needs them.

The core app sits below the members app (issue 9: core < accounts/jobs < members), yet the
organization pages, the subtree rollups, merging and dissolving need to know who is in an
organization. The lower layer owns the seam: this module declares what it asks for
(:class:`MemberSource`) and the members app registers the one implementation from its
``AppConfig.ready`` — no import from core up into members, lazy or not.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured


class MemberSource(Protocol):
    def leadership(self, org) -> tuple[Any | None, list[Any]]:
        """The secretary (or None) and the committee members recorded in ``org`` (DOMAIN §2)."""

    def officer_counts(self, org_ids: list[int]) -> dict[int, dict[str, int]]:
        """``{org_id: {"committee": n, "secretaries": n}}`` for several organizations, one query."""

    def rollup_rows(self) -> Iterator[tuple]:
        """``(org_id, status, gender, birth_date, education, category)`` of every active member."""

    def has_active_in_subtree(self, path: str) -> bool:
        """Whether an active member is recorded in the organization at ``path`` or below it."""

    def move_all(self, *, actor, source, target, reason: str) -> int:
        """Move every active member of ``source`` into ``target`` (a merge); the number moved."""

    def org_page(self, scope, org, counts: dict[str, int]) -> dict[str, Any]:
        """Context for the organization page: ``members`` (the roster preview this user may see)
        and ``chart_data`` (labelled series from ``counts``, or None)."""


_source: MemberSource | None = None


def register(source: MemberSource) -> None:
    """Called once, by the members app's ``ready()``."""
    global _source  # noqa: PLW0603  (the one registration point of this seam)
    _source = source


def members() -> MemberSource:
    if _source is None:
        raise ImproperlyConfigured("No member source registered: is dangjian.members in INSTALLED_APPS?")
    return _source
