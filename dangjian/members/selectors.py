"""Reads of member records, always through the caller's scope.

The roster is ordered by (org_path, id) — grouped by organization as a 花名册 is — and paged by
keyset (DESIGN.md "Scale path": keyset pages cost 0.1–11 ms at any depth; OFFSET and exact
COUNT(*) of a province subtree do not scale). Totals come from rollups, not COUNT(*).

A ``q`` that is a full ID number or mobile number is an exact look-up: it matches nothing unless
the caller passed :func:`members.services.authorize_exact_search` first and set
``exact_lookup_allowed``, and then only members the user may reveal (SECURITY.md "mask
reconstruction": an exact search confirms the masked digits).
"""
from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgStatus
from dangjian.core.policy import Scope
from dangjian.core.privacy import ID_RE, normalize_id_number, normalize_phone

from .models import COMMITTEE_POSITIONS, Member, MemberOrgHistory, MemberStatus, Position, RecordState

FILTER_FIELDS = ("gender", "status", "category", "education", "position", "ethnicity")


@dataclass
class MemberFilters:
    q: str = ""
    org: Organization | None = None
    include_left: bool = False
    age_min: int | None = None
    age_max: int | None = None
    exact: dict[str, str] = field(default_factory=dict)
    exact_lookup_allowed: bool = False  # never from the query string: set after authorize_exact_search

    @classmethod
    def from_params(cls, params, org: Organization | None = None) -> MemberFilters:
        def intval(name):
            v = str(params.get(name) or "")
            return int(v) if v.isascii() and v.isdigit() and len(v) <= 3 else None

        return cls(
            q=(params.get("q") or "").replace("\x00", "").strip()[:100],
            org=org,
            include_left=params.get("include_left") in ("1", "true"),
            age_min=intval("age_min"),
            age_max=intval("age_max"),
            exact={f: params.get(f) for f in FILTER_FIELDS if params.get(f) not in (None, "")},
        )

    def is_plain(self) -> bool:
        return not (self.q or self.exact or self.age_min or self.age_max or self.include_left)

    @property
    def exact_field(self) -> str | None:
        return exact_field(self.q)


def exact_field(term: str) -> str | None:
    """``"id_number"`` or ``"phone"`` when the search term is a full ID number or mobile number."""
    if not term:
        return None
    if ID_RE.match(normalize_id_number(term)):
        return "id_number"
    if re.fullmatch(r"1\d{10}", normalize_phone(term)):
        return "phone"
    return None


def _years_ago(years: int, today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def member_queryset(scope: Scope, filters: MemberFilters, action: str = "view") -> QuerySet[Member]:
    """Members the scope may see, narrowed by the filters (search by name, ID number or phone)."""
    qs = scope.filter(Member.objects.all(), action)
    if not filters.include_left:
        qs = qs.filter(state=RecordState.ACTIVE)
    if filters.org is not None:
        qs = qs.filter(org_path__startswith=filters.org.path)
    if filters.q:
        term = filters.q
        kind = exact_field(term)
        if kind is not None and not filters.exact_lookup_allowed:
            return qs.none()  # default deny: an unauthorized exact look-up matches nobody
        if kind is not None:
            qs = scope.filter(qs, "reveal")
        if kind == "id_number":
            qs = qs.filter(id_number_bidx=Member._meta.get_field("id_number").index_of(normalize_id_number(term)))
        elif kind == "phone":
            qs = qs.filter(phone_bidx=Member._meta.get_field("phone").index_of(term))
        else:
            # Names are searched by their beginning (surname, or surname + given name), which
            # an index serves at any scale; a search anywhere in the name would scan the subtree.
            qs = qs.filter(name__startswith=term)
    for f, v in filters.exact.items():
        qs = qs.filter(**{f: v})
    today = timezone.localdate()
    if filters.age_min is not None:
        qs = qs.filter(birth_date__lte=_years_ago(filters.age_min, today))
    if filters.age_max is not None:
        qs = qs.filter(birth_date__gt=_years_ago(filters.age_max + 1, today))
    return qs


def member_count(scope: Scope, filters: MemberFilters) -> int:
    """The exact number of members :func:`member_queryset` finds (a COUNT: callers bound its cost)."""
    return member_queryset(scope, filters).count()


def member_orgs(scope: Scope, action: str, *, excluding: int | None = None) -> QuerySet[Organization]:
    """Active member-holding organizations where this user may ``action`` members, in tree order
    (less the one whose pk is ``excluding``, e.g. a member's current organization)."""
    qs = (
        Organization.objects.filter(scope.q_paths("member", action, "path"))
        .filter(status=OrgStatus.ACTIVE, kind__in=[k.value for k in MEMBER_HOLDING_KINDS])
        .order_by("path")
    )
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs


def org_history(member: Member) -> QuerySet[MemberOrgHistory]:
    """The member's organizations over time, newest first (the member page's history)."""
    return MemberOrgHistory.objects.filter(member=member).select_related("org").order_by("-started_on", "-id")


def no_members() -> QuerySet[Member]:
    """An empty queryset of members, for a view's class-level ``queryset`` (schema generation
    reads its model; no handler reads its rows)."""
    return Member.objects.none()


def visible_member(scope: Scope, pk: int) -> Member:
    """Member record ``pk`` (with its organization) if the scope may view it; 404 alike for a
    missing and an out-of-scope one."""
    return scope.get_for_scope(Member.objects.select_related("org"), "view", pk=pk)


POSITION_ORDER = {p: i for i, p in enumerate(Position.values)}


def committee_of(org: Organization) -> list[dict]:
    """The active committee members recorded in ``org`` itself (by ``Member.position``), secretary
    first: ``[{"name": ..., "position": ...}, ...]``."""
    rows = (
        Member.objects.filter(org=org, state=RecordState.ACTIVE, position__in=list(COMMITTEE_POSITIONS))
        .order_by("id")
        .values_list("name", "position")
    )
    return sorted(({"name": n, "position": p} for n, p in rows), key=lambda r: POSITION_ORDER.get(r["position"], 99))


def encode_cursor(m: Member) -> str:
    return base64.urlsafe_b64encode(f"{m.org_path}|{m.pk}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, int] | None:
    try:
        path, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        if "\x00" in path or not path.isalnum():
            return None
        return path, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass
class Page:
    items: list[Member]
    next_cursor: str | None
    prev_cursor: str | None = None


def member_page(scope: Scope, filters: MemberFilters, *, after: str | None = None, size: int = 50,
                action: str = "view") -> Page:
    """One keyset page of the scoped roster, ordered by (org_path, id)."""
    qs = member_queryset(scope, filters, action).select_related("org").order_by("org_path", "id")
    pos = decode_cursor(after) if after else None
    if pos:
        path, pk = pos
        qs = qs.filter(Q(org_path__gt=path) | Q(org_path=path, id__gt=pk))
    items = list(qs[: size + 1])
    nxt = encode_cursor(items[size - 1]) if len(items) > size else None
    return Page(items=items[:size], next_cursor=nxt)


def voting_members_on(org: Organization, on: dt.date) -> list[int]:
    """The members with a vote in ``org`` (its subtree) on ``on``, from the history of the roll:
    in the organization that day (``MemberOrgHistory``), a full member that day (conversion on or
    before it; 党章 art. 7: probationary members have no vote) and no 留党察看 / 留置 in force
    (党章 art. 40; 选举工作条例 art. 5). Members exempt by rule (教育管理条例 art. 23) are still
    counted here: the caller knows whether they were left out of 应到."""
    ids = set(MemberOrgHistory.objects.filter(org__path__startswith=org.path, started_on__lte=on)
              .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on)).values_list("member_id", flat=True))
    full = Member.objects.filter(pk__in=ids).filter(
        Q(full_member_on__lte=on) | Q(status=MemberStatus.FULL, full_member_on__isnull=True, joined_on__lte=on))
    from .services import restricted_ids

    restricted = restricted_ids(ids, on)
    return [pk for pk in full.values_list("pk", flat=True) if pk not in restricted]
