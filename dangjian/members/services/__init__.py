"""State changes of member records (keyword-only, actor first, one transaction, audited). One
submodule per aggregate:

* :mod:`.records` — the member record: validation (:func:`clean_member_data`), create, edit, move
  to another branch, close (DOMAIN §4, §11);
* :mod:`.restrictions` — rights restrictions (留党察看, 留置) and who is restricted when;
* :mod:`.sensitive` — ID number, phone and address: reveals, exact look-ups, duplicate ID numbers
  routed without naming where (SECURITY.md "Field privacy", "mask reconstruction");
* ``_common`` — helpers the submodules share (the unnamed duplicate refusal).

Re-exported here: every name the app and the tests use from ``members.services``.
"""
from ._common import DuplicateElsewhere
from .records import (
    EDITABLE,
    clean_member_data,
    close_record,
    create_member,
    existing_records,
    full_members_in,
    move_member,
    receive_member,
    update_member,
)
from .restrictions import add_restriction, end_restriction, restricted_ids, restrictions_during
from .sensitive import (
    SENSITIVE,
    ExactSearchRefused,
    authorize_exact_search,
    recorded_elsewhere,
    refuse_duplicate,
    refuse_if_recorded_elsewhere,
    reveal_field,
    route_duplicates,
)

__all__ = [
    "add_restriction",
    "authorize_exact_search",
    "clean_member_data",
    "close_record",
    "create_member",
    "DuplicateElsewhere",
    "EDITABLE",
    "end_restriction",
    "ExactSearchRefused",
    "existing_records",
    "full_members_in",
    "move_member",
    "receive_member",
    "recorded_elsewhere",
    "refuse_duplicate",
    "refuse_if_recorded_elsewhere",
    "restricted_ids",
    "restrictions_during",
    "reveal_field",
    "route_duplicates",
    "SENSITIVE",
    "update_member",
]
