"""Benchmark (b): subtree head-counts by gender, age band and education.

For the province, a city, a county and a town: ``dangjian.core.rollups.counts_for(org)`` (one
rollup row) against the baseline a dashboard would otherwise run — three GROUP BY scans of the
members with ``org_path LIKE 'prefix%'`` (gender, age band, education) — in the same process.
Checks both give the same numbers, prints warm medians and the ratio.

    DANGJIAN_DB=postgres PGDATABASE=dangjian_bench .venv/bin/python bench/rollup_counts.py
"""
from __future__ import annotations

from _common import apply_settings, arguments, dataset_summary, fmt, measure, setup_django


def orgs():
    """The province, the first city, its first county and that county's first town."""
    from dangjian.core.models import Organization

    province = Organization.objects.filter(depth=1).order_by("path").first()
    city = Organization.objects.filter(kind="city").order_by("path").first()
    county = Organization.objects.filter(kind="county", path__startswith=city.path).order_by("path").first()
    town = Organization.objects.filter(kind="town", path__startswith=county.path).order_by("path").first()
    return [("province", province), ("city", city), ("county", county), ("town", town)]


def scan_counts(org) -> dict[str, int]:
    """The baseline: GROUP BY over the subtree's members, one query per dimension."""
    from django.db.models import Case, CharField, Count, Value, When
    from django.utils import timezone

    from dangjian.core.rollups import AGE_BANDS
    from dangjian.members.models import Member, RecordState
    from dangjian.members.selectors import _years_ago

    today = timezone.localdate()
    qs = Member.objects.filter(org_path__startswith=org.path, state=RecordState.ACTIVE).order_by()
    out: dict[str, int] = {}
    for row in qs.values("gender").annotate(n=Count("id")):
        out[f"gender:{row['gender']}"] = row["n"]
    band = Case(
        *[When(birth_date__gt=_years_ago(hi + 1, today), birth_date__lte=_years_ago(lo, today), then=Value(label))
          for lo, hi, label in AGE_BANDS],
        default=Value(AGE_BANDS[-1][2]), output_field=CharField(),
    )
    for row in qs.annotate(band=band).values("band").annotate(n=Count("id")):
        out[f"age:{row['band']}"] = row["n"]
    for row in qs.values("education").annotate(n=Count("id")):
        out[f"edu:{row['education']}"] = row["n"]
    return out


def rollup_counts(org) -> dict[str, int]:
    from dangjian.core.rollups import counts_for

    counts = counts_for(org)
    return {k: v for k, v in counts.items() if k.split(":")[0] in ("gender", "age", "edu")}


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    setup_django()
    apply_settings(args.pg_set)
    print(f"Dataset: {dataset_summary()}\n")
    print(f"{'subtree':9s} {'members':>10s}  {'rollup (counts_for)':42s} {'scan (3 x GROUP BY)':42s} ratio")
    worst = 0.0
    for label, org in orgs():
        from dangjian.core.rollups import counts_for

        total = counts_for(org).get("total", 0)
        assert rollup_counts(org) == scan_counts(org), f"rollup and scan disagree for {org.name}"
        roll = measure(lambda o=org: rollup_counts(o), args.runs, args.warmup)
        scan_runs = args.scan_runs if label in ("province", "city") else args.runs
        scan = measure(lambda o=org: scan_counts(o), scan_runs, 1 if label in ("province", "city") else args.warmup)
        worst = max(worst, roll.median_ms)
        print(f"{label:9s} {total:>10,}  {fmt(roll):42s} {fmt(scan):42s} {scan.median_ms / roll.median_ms:,.0f}x")
    print(f"\nslowest rollup median: {worst:.2f} ms ({'under' if worst < 100 else 'OVER'} the 100 ms target)")
    if args.explain:
        from dangjian.members.models import Member

        _l, city = orgs()[1]
        print(Member.objects.filter(org_path__startswith=city.path, state="active").order_by().values("gender")
              .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id")).explain(analyze=True, buffers=True))


if __name__ == "__main__":
    main()
