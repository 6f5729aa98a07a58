"""State changes of the organization tree and role assignments, one submodule per aggregate
(issue 9 item 5):

* :mod:`.organizations` — an organization: create, edit, term length (DOMAIN §2);
* :mod:`.restructure` — the tree's structure: move, merge, dissolve (DOMAIN §2, §11; decisions 1, 2, 25);
* :mod:`.role_grants` — role assignments: grant, approve, reject, revoke (SECURITY.md; decision 20);
* :mod:`.accounts` — login accounts;
* :mod:`._common` — the tree helpers the first two share (next child path, allowed parent kind).

Every function: keyword-only, ``actor`` first, one transaction, an audit row written inside it,
and a docstring citing the DOMAIN.md rule it encodes. Errors are ``ValidationError`` with a
message a user can act on; nothing is written when one is raised. The names below are the ones
used from outside the package (``core.api``, the views, tests, bench); a test that patches a
function patches it in the submodule that looks it up.
"""
from .accounts import create_account
from .organizations import (
    EDITABLE_ORG_FIELDS,
    TERM_DATE_RANGE,
    create_organization,
    term_end,
    term_years,
    update_organization,
)
from .restructure import dissolve_organization, merge_organizations, move_organization, path_columns
from .role_grants import approve_role_grant, grant_role, reject_role_grant, revoke_role

__all__ = [
    "EDITABLE_ORG_FIELDS",
    "TERM_DATE_RANGE",
    "approve_role_grant",
    "create_account",
    "create_organization",
    "dissolve_organization",
    "grant_role",
    "merge_organizations",
    "move_organization",
    "path_columns",
    "reject_role_grant",
    "revoke_role",
    "term_end",
    "term_years",
    "update_organization",
]
