"""Subtree head-counts read from rollup rows (DESIGN.md "Scale path": statistics above county
level read rollups, never scans). Buckets: total, status, gender, age band, education, category.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Organization, OrgRollup

AGE_BANDS = [(0, 30, "-30"), (31, 40, "31-40"), (41, 50, "41-50"), (51, 60, "51-60"), (61, 70, "61-70"), (71, 200, "71-")]


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def age_band(birth: dt.date, today: dt.date | None = None) -> str:
    age = age_on(birth, today or timezone.localdate())
    for lo, hi, label in AGE_BANDS:
        if lo <= age <= hi:
            return label
    return AGE_BANDS[-1][2]


def member_keys(m) -> list[str]:
    """The buckets one member counts in."""
    return [
        "total",
        f"status:{m.status}",
        f"gender:{m.gender}",
        f"age:{age_band(m.birth_date)}",
        f"edu:{m.education}",
        f"cat:{m.category}",
    ]


def ancestor_paths(path: str) -> list[str]:
    from .models import PATH_STEP

    return [path[:i] for i in range(PATH_STEP, len(path) + 1, PATH_STEP)]


def apply_delta(changes: Iterable[tuple[str, list[str], int]]) -> None:
    """Apply (org_path, keys, +1/-1) changes to every ancestor's rollup, in one transaction.

    Rows are locked in path order so concurrent writers cannot deadlock.
    """
    delta: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path, keys, sign in changes:
        for ap in ancestor_paths(path):
            for k in keys:
                delta[ap][k] += sign
    if not delta:
        return
    with transaction.atomic():
        orgs = dict(Organization.objects.filter(path__in=list(delta)).values_list("path", "id"))
        OrgRollup.objects.bulk_create([OrgRollup(org_id=i) for i in orgs.values()], ignore_conflicts=True)
        rows = OrgRollup.objects.select_for_update().filter(org_id__in=list(orgs.values())).select_related("org").order_by("org__path")
        now = timezone.now()
        for row in rows:
            counts = row.counts
            for k, d in delta[row.org.path].items():
                if d:
                    counts[k] = counts.get(k, 0) + d
            row.counts = {k: v for k, v in counts.items() if v}
            row.refreshed_at = now
            row.save(update_fields=["counts", "refreshed_at"])


def counts_for(org: Organization) -> dict[str, int]:
    row = OrgRollup.objects.filter(org=org).only("counts").first()
    return row.counts if row else {}


def totals_for(orgs: list[Organization]) -> dict[int, int]:
    """Subtree member totals for several organizations in one query."""
    if not orgs:
        return {}
    rows = OrgRollup.objects.filter(org_id__in=[o.pk for o in orgs]).values_list("org_id", "counts")
    return {org_id: counts.get("total", 0) for org_id, counts in rows}


def refresh_all(batch: int = 5000) -> int:
    """Rebuild every rollup from the member table (a full scan; the nightly job)."""
    from .population import members

    today = timezone.localdate()
    per_org: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for org_id, status, gender, birth, edu, cat in members().rollup_rows():
        c = per_org[org_id]
        c["total"] += 1
        c[f"status:{status}"] += 1
        c[f"gender:{gender}"] += 1
        c[f"age:{age_band(birth, today)}"] += 1
        c[f"edu:{edu}"] += 1
        c[f"cat:{cat}"] += 1
    paths = dict(Organization.objects.values_list("id", "path"))
    by_path = {p: i for i, p in paths.items()}
    subtree: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for org_id, c in per_org.items():
        for ap in ancestor_paths(paths[org_id]):
            target = subtree[by_path[ap]]
            for k, v in c.items():
                target[k] += v
    now = timezone.now()
    with transaction.atomic():
        OrgRollup.objects.all().delete()
        objs = [OrgRollup(org_id=i, counts=dict(subtree.get(i, {})), refreshed_at=now) for i in paths]
        for start in range(0, len(objs), batch):
            OrgRollup.objects.bulk_create(objs[start : start + batch])
    return len(objs)
