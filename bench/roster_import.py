"""Roster import throughput: a 20,000-row .xlsx checked, validated and imported all-or-nothing.

    .venv/bin/python bench/roster_import.py                    # SQLite, a fresh temp database
    .venv/bin/python bench/roster_import.py --db postgres      # PostgreSQL (PGHOST/PGUSER/PGPASSWORD),
                                                               # a throw-away database, dropped afterwards
    .venv/bin/python bench/roster_import.py --rows 5000

Prints the time of each phase (upload checks + read, the preview's validation, the import with its
own re-validation, bulk insert, history rows, rollups and the audit row), rows/s, and checks that
the rollups equal a full refresh afterwards.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--branches", type=int, default=20)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = p.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="roster-bench-"))
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings.test"
    os.environ["DANGJIAN_VAR_DIR"] = str(tmp)
    pg_name = None
    if args.db == "postgres":
        import psycopg

        pg_name = f"dangjian_bench_roster_{os.getpid()}"
        os.environ.update({"DANGJIAN_DB": "postgres", "PGDATABASE": pg_name})
        os.environ.setdefault("PGHOST", "127.0.0.1")
        os.environ.setdefault("PGUSER", "dangjian")
        os.environ.setdefault("PGPASSWORD", "dangjian")
        with psycopg.connect(dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
    else:
        os.environ["DANGJIAN_DB"] = "sqlite"
        os.environ["DANGJIAN_SQLITE"] = str(tmp / "bench.sqlite3")
    try:
        run(args, tmp)
    finally:
        if pg_name:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(dbname="postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')


def run(args, tmp: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    settings.DANGJIAN_ROSTER_UPLOAD_DIR = str(tmp / "uploads")
    call_command("migrate", verbosity=0)
    from openpyxl import Workbook

    from dangjian.core import rollups
    from dangjian.core import services as org_services
    from dangjian.core.models import OrgRollup
    from dangjian.core.policy import Scope
    from dangjian.members import roster_xlsx as rx
    from dangjian.members.models import Member
    from tests.factories import make_id_number

    county = org_services.create_organization(actor=None, parent=None, name="基准县委", kind="county")
    town = org_services.create_organization(actor=None, parent=county, name="基准镇党委", kind="town")
    branches = [org_services.create_organization(actor=None, parent=town, name=f"基准村{i:02d}党支部", kind="branch")
                for i in range(args.branches)]
    user = get_user_model().objects.create_user(username="bench_admin", password="x" * 16)
    org_services.grant_role(actor=None, user=user, org=town, role="org_admin")

    path = tmp / "roster.xlsx"
    t0 = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["基准镇 党员花名册"])
    ws.append(rx.HEADERS)
    edus = list(rx.LABELS["education"].values())
    cats = list(rx.LABELS["category"].values())
    for i in range(args.rows):
        birth = dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        sex = "M" if i % 3 else "F"
        full = i % 10 != 0
        joined = dt.date(birth.year + 22 + i % 20, birth.month, birth.day)
        joined = min(joined, dt.date(2024, 1, 1)) if full else dt.date(2026, 3, 1)
        ws.append([i + 1, f"党员{i}", "男" if sex == "M" else "女", "汉族", birth.isoformat(), make_id_number(birth, sex),
                   edus[i % len(edus)], joined.strftime("%Y.%m.%d"),
                   f"{joined.year + 1}年{joined.month}月{joined.day}日" if full else "", cats[i % len(cats)],
                   "正式" if full else "预备", "某单位", "", f"139{i:08d}", f"基准镇某村{i}号", branches[i % len(branches)].name])
    wb.save(path)
    size = path.stat().st_size
    print(f"database: {connection.vendor}; workbook: {args.rows} rows, {size / 1048576:.1f} MB, built in {time.perf_counter() - t0:.1f} s")

    scope = Scope.for_user(user)
    t0 = time.perf_counter()
    rx.check_file(path, filename="roster.xlsx")
    parsed = rx.read_rows(path)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = rx.validate(scope, parsed)
    t_validate = time.perf_counter() - t0
    assert report.ok, list(report.errors.items())[:5]
    t0 = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    result = rx.import_rows(actor=user, scope=scope, parsed=parsed)
    if os.environ.get("BENCH_PROFILE"):
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    t_import = time.perf_counter() - t0
    assert result["rows"] == args.rows == Member.objects.count()

    before = {r.org_id: r.counts for r in OrgRollup.objects.all()}
    rollups.refresh_all()
    after = {r.org_id: r.counts for r in OrgRollup.objects.all()}
    exact = all(before.get(k, {}) == after.get(k, {}) for k in set(before) | set(after))

    total = t_read + t_validate + t_import
    print(f"checks + read:        {t_read:6.2f} s")
    print(f"preview (validate):   {t_validate:6.2f} s")
    print(f"import (re-validate, bulk insert, history, rollups, audit): {t_import:6.2f} s  -> {args.rows / t_import:,.0f} rows/s")
    print(f"upload to imported:   {total:6.2f} s for {args.rows:,} rows ({args.rows / total:,.0f} rows/s end to end)")
    print(f"rollups equal a full refresh: {exact}")
    if not exact:
        sys.exit(1)


if __name__ == "__main__":
    main()
