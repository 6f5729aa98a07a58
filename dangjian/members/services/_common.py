"""Helpers shared by the submodules of ``members.services``: whose view decides what a duplicate
ID number may say, a normalised ID number, and the refusal of a number on record where the user
cannot see it (raised by :mod:`.records`, routed by :mod:`.sensitive`)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from dangjian.core.policy import Scope
from dangjian.core.privacy import validate_id_number

from ..models import Member

DUPLICATE_ON_RECORD = gettext_lazy("A member with this ID number is already on record.")
DUPLICATE_ROUTED = gettext_lazy("This ID number cannot be recorded here. It has been passed to the organization department "
                                "above for resolution; they will contact you.")


class DuplicateElsewhere(ValidationError):
    """The ID number is on record in a member record (or an open development case) the user may
    not see (code ``id_duplicate_routed``).

    Carries the existing record for :func:`route_duplicate`; its message names nothing of it."""

    def __init__(self, existing, id_number: str):
        super().__init__({"id_number": [ValidationError(DUPLICATE_ROUTED, code="id_duplicate_routed")]})
        self.existing = existing
        self.id_number = id_number


def _on_record_elsewhere(actor, idn: str | None, exclude_pk=None) -> DuplicateElsewhere | None:
    """After a unique-index race: the record that won, when the actor may not see it."""
    if not idn or actor is None:
        return None
    existing = Member.objects.filter(id_number_bidx=Member._meta.get_field("id_number").index_of(idn)).exclude(pk=exclude_pk).first()
    if existing is not None and not Scope.for_user(actor).can("view", existing):
        return DuplicateElsewhere(existing, idn)
    return None


def _person(actor):
    """The user whose view decides what a duplicate may say (None for system callers)."""
    return actor if getattr(actor, "pk", None) else None


def normalize_id(value) -> str | None:
    try:
        return validate_id_number(value) if value else None
    except ValidationError:
        return None
