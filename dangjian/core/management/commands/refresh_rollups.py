"""``manage.py refresh_rollups [--sql]``: rebuild every subtree head-count row (the nightly job).

Default: ``dangjian.core.rollups.refresh_all()`` (one pass over the members in Python).
``--sql`` (PostgreSQL only): the same counts computed set-based inside the database — one
GROUP BY over the members, then sums carried up the tree one level at a time — for
province-sized tables where the Python pass takes minutes. Both produce the same buckets
(``rollups.member_keys``): total, status, gender, age band (age today), education, category.
"""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from dangjian.core import rollups


def _age_band_sql(today_sql: str) -> str:
    """SQL for ``rollups.age_band(birth_date)``: whole years on ``today``, then AGE_BANDS."""
    age = (f"(EXTRACT(YEAR FROM {today_sql})::int - EXTRACT(YEAR FROM birth_date)::int"
           f" - CASE WHEN (EXTRACT(MONTH FROM {today_sql}), EXTRACT(DAY FROM {today_sql}))"
           f" < (EXTRACT(MONTH FROM birth_date), EXTRACT(DAY FROM birth_date)) THEN 1 ELSE 0 END)")
    whens = " ".join(f"WHEN {age} BETWEEN {lo} AND {hi} THEN '{label}'" for lo, hi, label in rollups.AGE_BANDS)
    return f"CASE {whens} ELSE '{rollups.AGE_BANDS[-1][2]}' END"


def refresh_all_sql() -> int:
    """Rebuild core_orgrollup on PostgreSQL with set-based SQL; returns the number of rows."""
    today = timezone.localdate()
    band = _age_band_sql("%(today)s::date")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'")
        # 1. Per-organization counts of its own members, one row per (org, bucket).
        cur.execute(
            "CREATE TEMP TABLE _rollup_acc ON COMMIT DROP AS "  # noqa: S608 - band is built from constants
            "SELECT g.org_id, k.key, SUM(g.n)::bigint AS n FROM ("
            f"  SELECT org_id, status, gender, {band} AS band, education, category, COUNT(*) AS n"
            "   FROM members_member WHERE state = 'active' GROUP BY 1, 2, 3, 4, 5, 6"
            ") g CROSS JOIN LATERAL (VALUES ('total'), ('status:' || g.status), ('gender:' || g.gender),"
            "  ('age:' || g.band), ('edu:' || g.education), ('cat:' || g.category)) AS k(key)"
            " GROUP BY g.org_id, k.key",
            {"today": today},
        )
        # 2. Carry sums up one level at a time, deepest first: when depth d is processed, every
        #    organization at depth d already holds its whole subtree.
        cur.execute("SELECT COALESCE(MAX(depth), 0) FROM core_organization")
        max_depth = cur.fetchone()[0]
        for depth in range(max_depth, 1, -1):
            cur.execute(
                "INSERT INTO _rollup_acc (org_id, key, n) "
                "SELECT o.parent_id, a.key, SUM(a.n) FROM _rollup_acc a JOIN core_organization o ON o.id = a.org_id "
                "WHERE o.depth = %s AND o.parent_id IS NOT NULL GROUP BY o.parent_id, a.key",
                [depth],
            )
        # 3. Replace the rollup rows: one per organization (empty counts for empty subtrees).
        cur.execute("DELETE FROM core_orgrollup")
        cur.execute(
            "INSERT INTO core_orgrollup (org_id, counts, refreshed_at) "
            "SELECT o.id, COALESCE(c.counts, '{}'::jsonb), %s FROM core_organization o LEFT JOIN ("
            "  SELECT org_id, jsonb_object_agg(key, n) AS counts FROM ("
            "    SELECT org_id, key, SUM(n) AS n FROM _rollup_acc GROUP BY org_id, key) s GROUP BY org_id"
            ") c ON c.org_id = o.id",
            [timezone.now()],
        )
        return cur.rowcount


class Command(BaseCommand):
    help = "Rebuild the subtree head-count rollups from the member table."

    def add_arguments(self, parser):
        parser.add_argument("--sql", action="store_true", help="set-based rebuild inside PostgreSQL (for province-sized data)")

    def handle(self, *args, sql: bool, **options):
        start = time.monotonic()
        if sql:
            if connection.vendor != "postgresql":
                raise CommandError("--sql needs PostgreSQL; run refresh_rollups without --sql on SQLite.")
            rows = refresh_all_sql()
        else:
            rows = rollups.refresh_all()
        self.stdout.write(f"Refreshed {rows} rollup rows in {time.monotonic() - start:.2f} s.")
