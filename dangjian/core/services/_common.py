"""Helpers of the organization tree that :mod:`.organizations` (create) and :mod:`.restructure`
(move, merge) share: the next free child path (decision 1, our own materialized path) and the
kinds a parent may hold (DOMAIN §2: party groups hold no children; a dissolved organization holds
nothing new)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import (
    ALLOWED_CHILDREN,
    PATH_STEP,
    Organization,
    OrgKind,
    decode_segment,
    encode_segment,
)


def _next_child_path(parent: Organization | None) -> str:
    prefix = parent.path if parent else ""
    last = (
        Organization.objects.filter(path__startswith=prefix, depth=len(prefix) // PATH_STEP + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    n = decode_segment(last[-PATH_STEP:]) + 1 if last else 1
    return prefix + encode_segment(n)


def _check_parent(parent: Organization | None, kind: str) -> None:
    if parent is None:
        return
    if not parent.is_active:
        raise ValidationError(_("“%(p)s” is dissolved; nothing can be placed under it.") % {"p": parent.name}, code="parent_inactive")
    if kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
        raise ValidationError(
            _("A %(kind)s cannot be placed under a %(pkind)s.")
            % {"kind": OrgKind(kind).label, "pkind": OrgKind(parent.kind).label},
            code="kind_not_allowed",
        )
