"""``manage.py refresh_rollups [--sql]``: rebuild every subtree head-count row (the nightly job).

Default: ``dangjian.core.rollups.refresh_all()`` (one pass over the members in Python).
``--sql`` (PostgreSQL only): the same counts computed set-based inside the database — one
GROUP BY over the members, then sums carried up the tree one level at a time — for
province-sized tables where the Python pass takes minutes. Both produce the same buckets
(``rollups.member_keys``): total, status, gender, age band (age today), education, category.
"""
from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from dangjian.core import rollups


def _age_band_sql() -> tuple[str, dict]:
    """SQL (and parameters) for ``rollups.age_band(birth_date)`` today.

    age ≤ hi ⇔ birth_date > today − (hi + 1) years, so each band is one date comparison with a
    cutoff computed here the same way as ``rollups.age_on`` counts whole years.
    """
    today = timezone.localdate()
    whens, params = [], {}
    for i, (_lo, hi, label) in enumerate(rollups.AGE_BANDS[:-1]):
        params[f"cut{i}"] = _years_before(today, hi + 1)
        whens.append(f"WHEN birth_date > %(cut{i})s THEN '{label}'")
    return f"CASE {' '.join(whens)} ELSE '{rollups.AGE_BANDS[-1][2]}' END", params


def _years_before(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


# One scan of the members, six hashed groupings per organization (GROUPING SETS).
LEAF_SQL = """
CREATE TEMP TABLE _rollup_acc ON COMMIT DROP AS
SELECT org_id,
       CASE WHEN GROUPING(status) = 0 THEN 'status:' || status
            WHEN GROUPING(gender) = 0 THEN 'gender:' || gender
            WHEN GROUPING(band) = 0 THEN 'age:' || band
            WHEN GROUPING(education) = 0 THEN 'edu:' || education
            WHEN GROUPING(category) = 0 THEN 'cat:' || category
            ELSE 'total' END AS key,
       COUNT(*)::bigint AS n
FROM (SELECT org_id, status, gender, {band} AS band, education, category
      FROM members_member WHERE state = 'active') m
GROUP BY GROUPING SETS ((org_id), (org_id, status), (org_id, gender), (org_id, band), (org_id, education), (org_id, category))
"""
# Sums carried up one level, deepest first: at depth d every organization holds its subtree.
UP_SQL = """
INSERT INTO _rollup_acc (org_id, key, n)
SELECT o.parent_id, a.key, SUM(a.n) FROM _rollup_acc a JOIN core_organization o ON o.id = a.org_id
WHERE o.depth = %s AND o.parent_id IS NOT NULL GROUP BY o.parent_id, a.key
"""
# One row per organization (empty counts for empty subtrees), as refresh_all writes them.
WRITE_SQL = """
INSERT INTO core_orgrollup (org_id, counts, refreshed_at)
SELECT o.id, COALESCE(c.counts, '{}'::jsonb), %s FROM core_organization o LEFT JOIN (
    SELECT org_id, jsonb_object_agg(key, n) AS counts
    FROM (SELECT org_id, key, SUM(n) AS n FROM _rollup_acc GROUP BY org_id, key) s GROUP BY org_id
) c ON c.org_id = o.id
"""


def refresh_all_sql() -> int:
    """Rebuild core_orgrollup on PostgreSQL with set-based SQL; returns the number of rows."""
    band, params = _age_band_sql()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '512MB'")
        cur.execute("SET LOCAL jit = off")  # compiling these plans costs more than it saves
        cur.execute("DROP TABLE IF EXISTS _rollup_acc")  # left over when run inside an outer transaction
        cur.execute(LEAF_SQL.format(band=band), params)
        cur.execute("ANALYZE _rollup_acc")
        cur.execute("SELECT COALESCE(MAX(depth), 0) FROM core_organization")
        max_depth = cur.fetchone()[0]
        for depth in range(max_depth, 1, -1):
            cur.execute(UP_SQL, [depth])
        cur.execute("ANALYZE _rollup_acc")
        # Sorted (streaming) aggregation: hashing ~300 k jsonb states at once spills to disk.
        cur.execute("SET LOCAL enable_hashagg = off")
        cur.execute("DELETE FROM core_orgrollup")
        cur.execute(WRITE_SQL, [timezone.now()])
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
