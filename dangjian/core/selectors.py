"""Reads of the organization tree, through the caller's scope."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from . import population, rollups, structure
from .models import ALLOWED_CHILDREN, AuditEvent, GrantStatus, Organization, OrgStatus, RoleAssignment, RoleGrantRequest
from .policy import Scope


def visible_orgs(scope: Scope, action: str = "view") -> QuerySet[Organization]:
    return scope.filter(Organization.objects.all(), action)


def no_organizations() -> QuerySet[Organization]:
    """An empty queryset of organizations, for a view's class-level ``queryset`` (schema
    generation and filter backends read its model; no handler reads its rows)."""
    return Organization.objects.none()


def visible_org(scope: Scope, pk: int) -> Organization:
    """Organization ``pk`` if the scope may view it; 404 alike for a missing and an out-of-scope one."""
    return scope.get_for_scope(Organization.objects.all(), "view", pk=pk)


def org_at_path(path: str) -> Organization | None:
    """The organization at ``path`` (e.g. the root of the caller's own reach), or None."""
    return Organization.objects.filter(path=path).first()


def reloaded_org(org: Organization) -> Organization:
    """``org`` read again from the database (after a service changed it through other rows)."""
    org.refresh_from_db()
    return org


def visible_children_of(scope: Scope, org: Organization, action: str = "view") -> QuerySet[Organization]:
    """The direct sub-organizations of ``org`` the scope may ``action`` (unordered: the caller pages)."""
    return scope.filter(org.children.all(), action)


def visible_descendants_of(scope: Scope, org: Organization, action: str = "view") -> QuerySet[Organization]:
    """Everything below ``org`` the scope may ``action`` (unordered: the caller pages)."""
    return scope.filter(org.descendants(include_self=False), action)


def rollup_counts(org_ids: list[int]) -> dict[int, dict[str, int]]:
    """The rollup head-counts of these organizations, by org id (one query; none for an org without a row)."""
    return dict(rollups.OrgRollup.objects.filter(org_id__in=org_ids).values_list("org_id", "counts"))


def roots(scope: Scope) -> list[Organization]:
    paths = scope.root_paths()
    return list(Organization.objects.filter(path__in=paths).order_by("path"))


def children(scope: Scope, org: Organization, include_inactive: bool = False) -> list[Organization]:
    qs = visible_orgs(scope).filter(parent=org)
    if not include_inactive:
        qs = qs.filter(status=OrgStatus.ACTIVE)
    return list(qs.order_by("path"))


def visible_ancestors(scope: Scope, org: Organization) -> list[Organization]:
    """Breadcrumb: only the ancestors the user may see (never a parent's data otherwise)."""
    return list(visible_orgs(scope).filter(path__in=org.ancestor_paths()[:-1]).order_by("path"))


def leadership(org: Organization):
    """The secretary and the committee recorded in the organization (positions, DOMAIN §2)."""
    return population.members().leadership(org)


def org_findings(org: Organization) -> list[structure.Finding]:
    secretary, committee = leadership(org)
    return structure.findings_for(org, rollups.counts_for(org), committee_size=len(committee), has_secretary=secretary is not None)


def move_targets(scope: Scope, org: Organization) -> QuerySet[Organization]:
    """Where ``org`` may be moved: active orgs the user may add children to, of a kind that may
    hold it, outside its own subtree."""
    kinds = [k for k, allowed in ALLOWED_CHILDREN.items() if org.kind in allowed]
    return (
        visible_orgs(scope, "add_child")
        .filter(status=OrgStatus.ACTIVE, kind__in=kinds)
        .exclude(path__startswith=org.path)
        .exclude(pk=org.parent_id)
        .order_by("path")
    )


def merge_targets(scope: Scope, org: Organization) -> QuerySet[Organization]:
    return visible_orgs(scope, "change").filter(status=OrgStatus.ACTIVE, kind=org.kind).exclude(path__startswith=org.path).order_by("path")


def subtree_findings(scope: Scope, org: Organization, limit: int = 200) -> tuple[int, list[tuple[Organization, list[structure.Finding]]]]:
    """Branches below ``org`` that break a structure rule, worst first, for their superiors.

    Three queries whatever the subtree size: the branches, their rollups, and their committee
    positions (DOMAIN §2/§11 "Structure & terms").
    """
    branches = list(
        visible_orgs(scope, "view_stats")
        .filter(path__startswith=org.path, status=OrgStatus.ACTIVE, kind__in=[k.value for k in structure.BRANCH_KINDS])
        .order_by("path")
    )
    if not branches:
        return 0, []
    ids = [b.pk for b in branches]
    counts = rollup_counts(ids)
    officers = population.members().officer_counts(ids)
    flagged = []
    for b in branches:
        o = officers.get(b.pk, {})
        f = structure.findings_for(b, counts.get(b.pk, {}), committee_size=o.get("committee", 0), has_secretary=bool(o.get("secretaries")))
        if f:
            flagged.append((b, f))
    flagged.sort(key=lambda item: (not any(x.level == "block" for x in item[1]), item[0].path))
    return len(flagged), flagged[:limit]


def org_search(scope: Scope, q: str) -> QuerySet[Organization]:
    """Visible organizations whose name contains ``q``, in tree order (the tree page's search)."""
    return visible_orgs(scope).filter(name__contains=q).order_by("path")


def org_history(org: Organization) -> QuerySet[AuditEvent]:
    """The audit events about one organization, newest first (the caller checked ``history``)."""
    return AuditEvent.objects.filter(object_type="core.organization", object_id=str(org.pk)).order_by("-seq")


def audit_events(scope: Scope, action_prefix: str = "") -> QuerySet[AuditEvent]:
    """The audit log the scope may read, newest first, optionally by action prefix."""
    qs = scope.filter(AuditEvent.objects.all()).order_by("-seq")
    if action_prefix:
        qs = qs.filter(action__startswith=action_prefix)
    return qs


def pending_grant_request(org: Organization, pk) -> RoleGrantRequest | None:
    """A pending grant request in ``org``'s subtree, or None."""
    return RoleGrantRequest.objects.filter(pk=pk, org__path__startswith=org.path, status=GrantStatus.PENDING).first()


def pending_grant_requests(org: Organization) -> QuerySet[RoleGrantRequest]:
    """The pending grant requests of ``org``'s subtree, oldest first."""
    return (RoleGrantRequest.objects.filter(org__path__startswith=org.path, status=GrantStatus.PENDING)
            .select_related("user", "org", "requested_by").order_by("requested_at"))


def active_assignment(org: Organization, pk) -> RoleAssignment | None:
    """An active role assignment at ``org`` itself, or None."""
    return RoleAssignment.objects.filter(pk=pk, org=org, active=True).first()


def active_assignments(org: Organization) -> QuerySet[RoleAssignment]:
    """Who holds which role at ``org``, by role then username."""
    return RoleAssignment.objects.filter(org=org, active=True).select_related("user").order_by("role", "user__username")


def account_named(username: str):
    """The user account with this username, or None."""
    return get_user_model().objects.filter(username=username).first()


def exports_page(scope: Scope) -> list[dict]:
    """The exports page (导出中心): each registered export ``scope`` may run, with the page(s) to
    start it from — one per top organization it may export for when the page is per organization."""
    from django.urls import reverse

    from . import exports

    rows = []
    for e in exports.allowed(scope):
        if e.per_org:
            orgs = Organization.objects.filter(path__in=scope.root_paths(e.resource, e.action)).order_by("path")
            links = [{"org": o.name, "url": reverse(e.url_name, kwargs={"pk": o.pk})} for o in orgs]
        else:
            links = [{"org": "", "url": reverse(e.url_name)}]
        rows.append({"export": e, "links": links})
    return rows
