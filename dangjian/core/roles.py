"""Separation of duties for role grants (三权分立; SECURITY.md "privilege escalation",
等保2.0 level 3 "system, security and audit administrators are separate").

The table below says which role may grant which role, and how far from the organization the
granter holds its role at (the same reach words as :mod:`dangjian.core.policy`):

* an **org admin** (组织部 / town Party-committee admin) appoints the data roles of its subtree
  (secretary, committee member, member) and org admins strictly *below* itself (a peer admin is
  appointed by the superior organization, DOMAIN §2); it never grants audit_admin or
  security_admin;
* a **security admin** grants every role in its subtree — but never to itself, and a security
  or audit admin never holds a data role at all (see :data:`EXCLUSIVE_GROUPS`), so it cannot
  reach member data through a grant of its own or of a friend;
* nobody else grants anything; nobody grants a role to themself.

Grants of the roles in :func:`two_person_roles` (privileged: org_admin, audit_admin,
security_admin by default; setting ``DANGJIAN_TWO_PERSON_ROLES``) are not applied at once: they
become a pending :class:`~dangjian.core.models.RoleGrantRequest` that a *second* security admin
(neither the requester nor the grantee) reaching the organization approves.
"""
from __future__ import annotations

from . import config
from .models import Role
from .policy import DESCENDANTS, SUBTREE, Scope

R = Role

# granter role -> {grantable role: reach from the granter's organization}
GRANTABLE: dict[str, dict[str, str]] = {
    R.ORG_ADMIN: {R.ORG_ADMIN: DESCENDANTS, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE, R.MEMBER: SUBTREE},
    R.SECURITY_ADMIN: {role: SUBTREE for role in Role.values},
}

# Roles that reach member data beyond the holder's own record (POLICY "member" rows).
DATA_ROLES = frozenset({R.ORG_ADMIN, R.SECRETARY, R.COMMITTEE})
# One person holds roles of one group only (the member role — one's own record — goes with any).
EXCLUSIVE_GROUPS: tuple[frozenset[str], ...] = (DATA_ROLES, frozenset({R.AUDIT_ADMIN}), frozenset({R.SECURITY_ADMIN}))

DEFAULT_TWO_PERSON_ROLES = (R.ORG_ADMIN, R.AUDIT_ADMIN, R.SECURITY_ADMIN)
# Who approves a pending grant: a security admin reaching the organization (not the requester, not the grantee).
APPROVER_ROLE = R.SECURITY_ADMIN


def two_person_roles() -> frozenset[str]:
    return frozenset(config.value("TWO_PERSON_ROLES", DEFAULT_TWO_PERSON_ROLES))


def _reaches(reach: str, granter_path: str, target_path: str) -> bool:
    if reach == SUBTREE:
        return target_path.startswith(granter_path)
    if reach == DESCENDANTS:
        return target_path.startswith(granter_path) and target_path != granter_path
    return False


def may_grant(scope: Scope, role: str, org_path: str) -> bool:
    """Whether the scope's user may grant (or revoke) ``role`` at the organization ``org_path``."""
    for g in scope.grants:
        reach = GRANTABLE.get(g.role, {}).get(role)
        if reach and _reaches(reach, g.path, org_path):
            return True
    return False


def grantable_roles(scope: Scope, org_path: str) -> list[str]:
    """The roles the scope's user may grant at ``org_path``, in the order of :class:`Role`."""
    return [r for r in Role.values if may_grant(scope, r, org_path)]


def conflicting(held: set[str], role: str) -> set[str]:
    """The held roles that ``role`` may not be combined with (empty: compatible)."""
    group = next((g for g in EXCLUSIVE_GROUPS if role in g), None)
    if group is None:  # the member role
        return set()
    return {h for h in held if h != R.MEMBER and h not in group}


def may_approve(scope: Scope, org_path: str) -> bool:
    """Whether the scope's user may approve a pending grant at ``org_path``."""
    return any(g.role == APPROVER_ROLE and org_path.startswith(g.path) for g in scope.grants)
