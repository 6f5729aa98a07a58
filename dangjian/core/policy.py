"""The one rule of visibility (DESIGN.md): who may do what to which organization's data.

``POLICY`` is the single table. For each resource and action it names, per role, how far the
role reaches from the organization it is assigned to:

* ``SUBTREE``      the assigned organization and everything below it;
* ``DESCENDANTS``  only what is strictly below it (e.g. a town admin may not move the town itself);
* ``OWN``          only the assigned organization (a member sees their branch's public page);
* ``SELF``         only the user's own member record.

Nobody reaches a sibling's or a parent's data.

The table is assembled at start-up: the rows above are the core's, and each domain app adds the
rows of its own resources from its ``AppConfig.ready()`` with :func:`extend` (a resource is
declared once; redeclaring one is an error). The same table drives queryset scoping
(:meth:`Scope.filter`), object checks (:meth:`Scope.can`), field masking and the authz matrix
test, which reads it to compute the expected answer for every endpoint.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import Organization, Role, RoleAssignment

SUBTREE, DESCENDANTS, OWN, SELF = "subtree", "descendants", "own", "self"

R = Role
POLICY: dict[str, dict[str, dict[str, str]]] = {
    "organization": {
        "view": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE, R.MEMBER: OWN,
                 R.AUDIT_ADMIN: SUBTREE, R.SECURITY_ADMIN: SUBTREE},
        "view_stats": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE},
        "add_child": {R.ORG_ADMIN: SUBTREE},
        "change": {R.ORG_ADMIN: SUBTREE},
        # the committee's term (DOMAIN §2), set by recording the election result or approving a
        # postponement: the branch secretary records their own branch's election
        "set_term": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
        "move": {R.ORG_ADMIN: DESCENDANTS},
        "merge": {R.ORG_ADMIN: DESCENDANTS},
        "dissolve": {R.ORG_ADMIN: DESCENDANTS},
        "history": {R.ORG_ADMIN: SUBTREE, R.AUDIT_ADMIN: SUBTREE},
        "manage_roles": {R.ORG_ADMIN: SUBTREE, R.SECURITY_ADMIN: SUBTREE},
    },
    "member": {
        "view": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE, R.MEMBER: SELF},
        "add": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
        "change": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
        "move": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
        "reveal": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.MEMBER: SELF},
        "export": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
    },
    "audit": {
        "view": {R.AUDIT_ADMIN: SUBTREE},
        "verify": {R.AUDIT_ADMIN: SUBTREE},
    },
}


def extend(rows: dict[str, dict[str, dict[str, str]]]) -> None:
    """Add an app's resources to POLICY (called from ``AppConfig.ready``); never overrides."""
    for resource, actions in rows.items():
        if resource in POLICY:
            raise ValueError(f"POLICY resource {resource!r} is already declared")
        for action, table in actions.items():
            bad = {reach for reach in table.values()} - {SUBTREE, DESCENDANTS, OWN, SELF}
            if bad:
                raise ValueError(f"POLICY {resource}.{action}: unknown reach {bad}")
        POLICY[resource] = actions


@dataclass(frozen=True)
class Resource:
    """How a model reaches its organization: a path field, and optionally a 'self' field."""

    name: str
    path_field: str
    self_field: str | None = None  # e.g. "user" on Member: SELF compares it to request.user


RESOURCES: dict[type, Resource] = {}


def register(model: type, resource: Resource) -> None:
    RESOURCES[model] = resource


def _self_id(obj, self_field: str):
    """The user id a ``self_field`` ("user", "member__user") points at, following ``__``."""
    *hops, last = self_field.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


@dataclass
class Grant:
    role: str
    org_id: int
    path: str


@dataclass
class Scope:
    """What one user may see and do, built once per request from their active role assignments."""

    user: object
    grants: list[Grant] = field(default_factory=list)

    @classmethod
    def for_user(cls, user) -> Scope:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls(user=user)
        rows = (
            RoleAssignment.objects.filter(user=user, active=True)
            .select_related("org")
            .only("role", "org__id", "org__path")
        )
        return cls(user=user, grants=[Grant(r.role, r.org.id, r.org.path) for r in rows])

    # -- questions -----------------------------------------------------------------------
    def reaches(self, resource: str, action: str) -> list[tuple[str, str]]:
        """(reach, path) pairs this user has for an action; empty means no access at all."""
        table = POLICY[resource][action]
        return [(table[g.role], g.path) for g in self.grants if g.role in table]

    def has_any(self, resource: str, action: str) -> bool:
        return bool(self.reaches(resource, action))

    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def root_paths(self, resource: str = "organization", action: str = "view") -> list[str]:
        """The tops of the visible forest, without nested duplicates."""
        paths = sorted({p for _r, p in self.reaches(resource, action)})
        out: list[str] = []
        for p in paths:
            if not any(p.startswith(q) for q in out):
                out.append(p)
        return out

    def path_allows(self, resource: str, action: str, path: str, self_match: bool = False) -> bool:
        for reach, p in self.reaches(resource, action):
            if reach == SUBTREE and path.startswith(p):
                return True
            if reach == DESCENDANTS and path.startswith(p) and path != p:
                return True
            if reach == OWN and path == p:
                return True
            if reach == SELF and self_match:
                return True
        return False

    def q(self, model: type, action: str) -> Q:
        """A filter for rows of ``model`` this user may act on; matches nothing if none."""
        res = RESOURCES[model]
        return self.q_paths(res.name, action, res.path_field, res.self_field)

    def q_paths(self, resource: str, action: str, path_field: str, self_field: str | None = None) -> Q:
        """The filter for ``resource``/``action`` applied to any model's path column (e.g. the
        organizations where this user may add members: ``q_paths("member", "add", "path")``)."""
        q = Q(pk__in=[])
        for reach, p in self.reaches(resource, action):
            if reach == SUBTREE:
                q |= Q(**{f"{path_field}__startswith": p})
            elif reach == DESCENDANTS:
                q |= Q(**{f"{path_field}__startswith": p}) & ~Q(**{path_field: p})
            elif reach == OWN:
                q |= Q(**{path_field: p})
            elif reach == SELF and self_field:
                q |= Q(**{self_field: self.user})
        return q

    def filter(self, qs: QuerySet, action: str = "view") -> QuerySet:
        return qs.filter(self.q(qs.model, action))

    def can(self, action: str, obj) -> bool:
        res = RESOURCES[type(obj)]
        self_match = bool(res.self_field) and _self_id(obj, res.self_field) == getattr(self.user, "pk", -1)
        return self.path_allows(res.name, action, getattr(obj, res.path_field), self_match)

    def get_for_scope(self, qs: QuerySet, action: str = "view", **lookup):
        """The object, or 404 alike for a missing and an out-of-scope one."""
        obj = self.filter(qs, action).filter(**lookup).first()
        if obj is None:
            raise Http404
        return obj

    def require(self, action: str, obj) -> None:
        """Raise 404 (not 403: existence is not disclosed) unless the user may act on obj."""
        if not self.can(action, obj):
            raise Http404


register(Organization, Resource("organization", "path"))


def scope_of(request) -> Scope:
    """The request's scope, built once and cached on the request (and on its user, so the
    service the view calls asserts against the same scope without another query)."""
    sc = getattr(request, "_dangjian_scope", None)
    if sc is None or sc.user is not request.user:
        sc = Scope.for_user(request.user)
        request._dangjian_scope = sc
        if getattr(request.user, "is_authenticated", False):
            setattr(request.user, _SCOPE_ATTR, (_roles_version[0], sc))
    return sc


# --- the service side of the one authorization rule (decisions.md 38) ---------------------------

class NotPermitted(PermissionDenied):
    """A service refusing an actor whom the policy does not let act there (HTTP 403; code
    ``not_permitted``). The view should have refused first; this is the service's assertion."""

    code = "not_permitted"


_SCOPE_ATTR = "_dangjian_scope"
_roles_version = [0]  # bumped by every saved or deleted role assignment in this process


def _roles_changed(**kwargs) -> None:
    _roles_version[0] += 1


def scope_for(user) -> Scope:
    """``user``'s Scope: the one its request built (:func:`scope_of` leaves it on the request's
    user) while no role assignment of this process changed since, otherwise built now."""
    cached = getattr(user, _SCOPE_ATTR, None) if user is not None else None
    if cached is not None and cached[0] == _roles_version[0]:
        return cached[1]
    return Scope.for_user(user)


def allows(actor, resource: str, action: str, target) -> bool:
    """Whether POLICY lets ``actor`` do ``resource``/``action`` on ``target``: an organization,
    a registered scoped row (its path column; its SELF field when the row is of ``resource``),
    or a path string. ``actor`` None is the system (jobs, the demo, management commands)."""
    if actor is None:
        return True
    from .scoping import path_of

    scope = scope_for(actor)
    if isinstance(target, str):
        return scope.path_allows(resource, action, target)
    res = RESOURCES.get(type(target))
    if res is not None and res.name == resource:
        return scope.can(action, target)
    return scope.path_allows(resource, action, path_of(target))


def authorize(actor, resource: str, action: str, target) -> None:
    """The service's assertion of the one rule (decisions.md 38): raise :class:`NotPermitted`
    unless :func:`allows`. The view authorized already through the scope (404/403); this is what
    holds when the service is reached another way (REST, another app's ``api.py``, a job)."""
    if not allows(actor, resource, action, target):
        raise NotPermitted(_("You may not do this for this organization."))


def authorize_self(actor, member) -> None:
    """The service's assertion for an action a member takes for themselves (sign in, ask for
    leave, pay dues): ``member`` must be ``actor``'s own member record."""
    if actor is not None and getattr(member, "user_id", None) != getattr(actor, "pk", -1):
        raise NotPermitted(_("You may do this only for yourself."))


def register_declared() -> None:
    """Register every model that declares its POLICY resource on the class (``scope_resource``,
    ``scope_path``, ``scope_self``: :func:`dangjian.core.scoping.declared_resources`). Called once
    from core's ``ready()``, when every model is loaded; no app registers its models by hand."""
    from .scoping import declared_resources

    for model, resource, path, self_field in declared_resources():
        register(model, Resource(resource, path, self_field=self_field))


def _register_audit() -> None:
    from .models import AuditEvent

    register(AuditEvent, Resource("audit", "org_path"))


_register_audit()


from django.db.models.signals import post_delete, post_save  # noqa: E402 (after the receiver)

post_save.connect(_roles_changed, sender=RoleAssignment, dispatch_uid="policy-roles-changed")
post_delete.connect(_roles_changed, sender=RoleAssignment, dispatch_uid="policy-roles-changed-del")


def authorized_by(reason: str):
    """Mark a service whose actor is not checked by :func:`authorize`/:func:`authorize_self`
    itself, saying why (e.g. "the sealed ballot's voter is the session's own member, checked
    against the voters table"). ``tests/test_service_authorization.py`` accepts the mark."""
    if not reason or not reason.strip():
        raise ValueError("authorized_by needs the reason")

    def mark(fn):
        fn.authorized_by = reason
        return fn

    return mark
