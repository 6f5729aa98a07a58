"""Reads of the organization tree, through the caller's scope."""
from __future__ import annotations

from django.db.models import QuerySet

from . import population, rollups, structure
from .models import ALLOWED_CHILDREN, Organization, OrgStatus
from .policy import Scope


def visible_orgs(scope: Scope, action: str = "view") -> QuerySet[Organization]:
    return scope.filter(Organization.objects.all(), action)


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
    counts = dict(rollups.OrgRollup.objects.filter(org_id__in=ids).values_list("org_id", "counts"))
    officers = population.members().officer_counts(ids)
    flagged = []
    for b in branches:
        o = officers.get(b.pk, {})
        f = structure.findings_for(b, counts.get(b.pk, {}), committee_size=o.get("committee", 0), has_secretary=bool(o.get("secretaries")))
        if f:
            flagged.append((b, f))
    flagged.sort(key=lambda item: (not any(x.level == "block" for x in item[1]), item[0].path))
    return len(flagged), flagged[:limit]
