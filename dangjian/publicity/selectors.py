"""Reads for the public and the staff pages of publicity (no writes here)."""
from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404

from dangjian.core.models import AreaType, Organization, OrgStatus
from dangjian.members.api import Member

from .models import Board, HonourEntry, Notice, NoticeAttachment, NoticeStatus, NoticeVersion, VersionState

PUBLIC_AREAS = (AreaType.VILLAGE, AreaType.COMMUNITY)


# ---- public (published content only) ------------------------------------------------------

def published() -> Notice.objects.__class__:
    return Notice.objects.filter(status=NoticeStatus.PUBLISHED, current__isnull=False)


def public_places(q: str = ""):
    """Villages and communities (and their branches), for the public index."""
    qs = Organization.objects.filter(area_type__in=PUBLIC_AREAS, status=OrgStatus.ACTIVE).select_related("parent")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(parent__name__icontains=q))
    return qs.order_by("path")


def public_org(pk: int) -> Organization:
    org = Organization.objects.filter(pk=pk, status=OrgStatus.ACTIVE).first()
    if org is None:
        raise Http404
    return org


def board_notices(org: Organization, board: str):
    return (published().filter(org_path__startswith=org.path, board=board)
            .select_related("current", "org").order_by("-published_at", "-id"))


def board_counts(org: Organization) -> dict[str, int]:
    rows = published().filter(org_path__startswith=org.path).values("board").annotate(n=Count("id"))
    counts = {b: 0 for b in Board.values}
    counts.update({r["board"]: r["n"] for r in rows})
    return counts


def public_notice(pk: int) -> Notice:
    n = published().select_related("current", "org").filter(pk=pk).first()
    if n is None:
        raise Http404
    return n


def public_versions(notice: Notice):
    """Approved versions only (older ones stay readable; unapproved ones never appear)."""
    return notice.versions.filter(state=VersionState.APPROVED).order_by("-number")


def public_version(notice: Notice, number: int) -> NoticeVersion:
    v = public_versions(notice).filter(number=number).first()
    if v is None:
        raise Http404
    return v


def attachment(pk: int) -> NoticeAttachment | None:
    """An attachment with its version and notice, or None; the caller shows it only if public."""
    return NoticeAttachment.objects.select_related("version__notice").filter(pk=pk).first()


def honour_years() -> list[int]:
    return list(HonourEntry.objects.filter(withdrawn_at__isnull=True).values_list("year", flat=True).distinct().order_by("-year"))


def honour_roll(year: int):
    return HonourEntry.objects.filter(year=year, withdrawn_at__isnull=True).order_by("kind", "org_path", "id")


# ---- staff ----------------------------------------------------------------------------------

def staff_notices(scope, org: Organization, *, status: str = "", board: str = ""):
    qs = scope.filter(Notice.objects.filter(org_path__startswith=org.path)).select_related("latest", "current", "org")
    if status == "revision":
        qs = qs.filter(status=NoticeStatus.PUBLISHED).exclude(latest=None).filter(
            latest__state__in=[VersionState.DRAFT, VersionState.PENDING, VersionState.REJECTED])
    elif status:
        qs = qs.filter(status=status)
    if board:
        qs = qs.filter(board=board)
    return qs.order_by("-updated_at", "-id")


def status_counts(scope, org: Organization) -> dict[str, int]:
    base = scope.filter(Notice.objects.filter(org_path__startswith=org.path))
    counts = {s: 0 for s in NoticeStatus.values}
    counts.update({r["status"]: r["n"] for r in base.values("status").annotate(n=Count("id"))})
    counts["revision"] = base.filter(status=NoticeStatus.PUBLISHED).filter(
        latest__state__in=[VersionState.DRAFT, VersionState.PENDING, VersionState.REJECTED]).count()
    return counts


def approval_queue(scope):
    """Notices with a version waiting for approval that this user may approve."""
    return (Notice.objects.filter(scope.q(Notice, "approve")).filter(latest__state=VersionState.PENDING)
            .exclude(status=NoticeStatus.WITHDRAWN).select_related("latest", "org").order_by("latest__submitted_at", "id"))


def staff_orgs(scope):
    """Organizations whose boards this user manages: the tops of the visible forest, then their
    village/community/branch descendants."""
    roots = scope.root_paths("publicity", "view")
    q = Q(pk__in=[])
    for p in roots:
        q |= Q(path__startswith=p)
    return Organization.objects.filter(q, status=OrgStatus.ACTIVE).exclude(kind="party_group").order_by("path")


def reload_notice(pk: int) -> Notice:
    """A notice read again from the database (after a service changed it)."""
    return Notice.objects.get(pk=pk)


def notice_versions(notice: Notice):
    """Every version of a notice, newest first, with its people and attachments (staff page)."""
    return (notice.versions.select_related("created_by", "approved_by").prefetch_related("attachments")
            .order_by("-number"))


def staff_honour_years(scope) -> list[int]:
    """The years of the honour entries the user sees (withdrawn ones too), newest first."""
    return sorted(set(scope.filter(HonourEntry.objects.all()).values_list("year", flat=True)), reverse=True)


def staff_honour_entries(scope, year: int):
    """The honour entries of a year the user sees (withdrawn ones too)."""
    return scope.filter(HonourEntry.objects.filter(year=year)).select_related("selected_by_org")


def honour_selectable_orgs(scope) -> list[Organization]:
    """The organizations under each ``honour.select`` grant (at most 200 per grant, party groups left out)."""
    selectable: list[Organization] = []
    for _reach, path in scope.reaches("honour", "select"):
        qs = Organization.objects.filter(path__startswith=path, status=OrgStatus.ACTIVE).exclude(path=path).exclude(kind="party_group")
        selectable.extend(qs.order_by("path")[:200])
    return selectable


def honour_member_choices(org: Organization):
    """The members with an active record in the subtree (at most 500), for the honour form."""
    return Member.objects.filter(org_path__startswith=org.path, state="active").select_related("org").order_by("org_path", "name")[:500]


def honour_member(org: Organization, pk) -> Member | None:
    """A member of the subtree by id, or None."""
    return Member.objects.filter(pk=pk, org_path__startswith=org.path).first()
