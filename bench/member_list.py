"""Benchmark (a): the first page of a city's member roster, as the city's org admin.

Calls ``dangjian.members.selectors.member_page(scope, MemberFilters(...))`` — the function the
roster page and the API use — with the Scope of a user holding ``org_admin`` at the city, unfiltered
and filtered, plus the 2nd and 20th keyset pages. Prints warm medians and, with --explain, the
plan of each query.

    DANGJIAN_DB=postgres PGDATABASE=dangjian_bench .venv/bin/python bench/member_list.py
"""
from __future__ import annotations

from _common import apply_settings, arguments, dataset_summary, fmt, measure, setup_django

FILTERS = {
    "unfiltered": {},
    "gender=F": {"gender": "F"},
    "status=full": {"status": "full"},
    "education=bachelor": {"education": "bachelor"},
    "gender=F, status=full, education=bachelor": {"gender": "F", "status": "full", "education": "bachelor"},
    "category=student (rare)": {"category": "student"},
    "ethnicity=珞巴族 (no match: worst case)": {"ethnicity": "珞巴族"},
}


def city_admin():
    from django.contrib.auth import get_user_model

    from dangjian.core import services
    from dangjian.core.models import Organization, Role, RoleAssignment

    ra = RoleAssignment.objects.filter(role=Role.ORG_ADMIN, active=True, org__kind="city").select_related("user", "org").first()
    if ra:
        return ra.user, ra.org
    city = Organization.objects.filter(kind="city").order_by("path").first()
    user, _created = get_user_model().objects.get_or_create(username="bench_city_admin")
    services.grant_role(actor=None, user=user, org=city, role=Role.ORG_ADMIN)
    return user, city


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - sum(2 if ord(ch) > 0x2E80 else 1 for ch in s))


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    setup_django()
    apply_settings(args.pg_set)
    from dangjian.core.policy import Scope
    from dangjian.core.rollups import counts_for
    from dangjian.members.selectors import MemberFilters, member_page, member_queryset

    user, city = city_admin()
    print(f"Dataset: {dataset_summary()}")
    print(f"User {user.username} (org_admin at {city.name}, path {city.path}, {counts_for(city).get('total', 0):,} members)\n")
    scope = Scope.for_user(user)
    results = []
    for label, exact in FILTERS.items():
        filters = MemberFilters(exact=exact)
        member_page(scope, filters)
        t = measure(lambda f=filters: member_page(scope, f), args.runs, args.warmup)
        results.append((f"page 1, {label}", t))
        print(f"page 1   {_pad(label, 45)} {fmt(t)}")
        if args.explain:
            qs = member_queryset(scope, filters).select_related("org").order_by("org_path", "id")[:51]
            print(qs.explain(analyze=True, buffers=True), "\n")
    sample = member_queryset(scope, MemberFilters()).order_by("id")[1000]
    searches = {
        f"q=ID number (blind index, {sample.id_number[:4]}…)": sample.id_number,
        f"q=phone (blind index, {sample.phone[:3]}…)": sample.phone,
        f"q={sample.name[:2]} (name, LIKE)": sample.name[:2],
    }
    for label, q in searches.items():
        if not q:
            continue
        filters = MemberFilters(q=q)
        assert member_page(scope, filters).items, label
        t = measure(lambda f=filters: member_page(scope, f), args.runs, args.warmup)
        results.append((f"page 1, {label}", t))
        print(f"page 1   {_pad(label, 45)} {fmt(t)}")
        if args.explain:
            qs = member_queryset(scope, filters).select_related("org").order_by("org_path", "id")[:51]
            print(qs.explain(analyze=True, buffers=True), "\n")
    filters = MemberFilters()
    cursor, cursors = None, []
    for _n in range(20):
        page = member_page(scope, filters, after=cursor)
        cursor = page.next_cursor
        cursors.append(cursor)
    for n in (2, 20):
        after = cursors[n - 2]
        t = measure(lambda a=after: member_page(scope, filters, after=a), args.runs, args.warmup)
        results.append((f"page {n}, unfiltered", t))
        print(f"page {n:<3d} {'unfiltered (keyset cursor)':45s} {fmt(t)}")
    worst = max(t.median_ms for _l, t in results)
    print(f"\nslowest median: {worst:.2f} ms ({'under' if worst < 100 else 'OVER'} the 100 ms target)")


if __name__ == "__main__":
    main()
