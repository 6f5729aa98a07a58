"""Shared helpers of the benchmark scripts: Django set-up on PostgreSQL and warm-run medians."""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Configure Django for the benchmark database (defaults: PostgreSQL dangjian_bench)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.dev")
    os.environ.setdefault("DANGJIAN_DB", "postgres")
    os.environ.setdefault("PGDATABASE", "dangjian_bench")
    os.environ.setdefault("PGUSER", "dangjian")
    os.environ.setdefault("PGPASSWORD", "dangjian")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("These benchmarks run against PostgreSQL (DANGJIAN_DB=postgres).")


def arguments(description: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--runs", type=int, default=20, help="timed warm runs per figure (median reported)")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs before timing")
    p.add_argument("--scan-runs", type=int, default=5, help="timed runs of the slow scanning baselines")
    p.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of each query")
    p.add_argument("--pg-set", action="append", default=[], metavar="NAME=VALUE",
                   help="SET a PostgreSQL setting for the session first (e.g. jit=off); repeatable")
    return p.parse_args()


def apply_settings(pairs: list[str]) -> None:
    """SET session settings given as NAME=VALUE (bench experiments such as jit=off)."""
    from django.db import connection

    with connection.cursor() as cur:
        for pair in pairs:
            name, value = pair.split("=", 1)
            cur.execute("SELECT set_config(%s, %s, false)", [name.strip(), value.strip()])
            print(f"SET {name.strip()} = {value.strip()}")


@dataclass
class Timing:
    median_ms: float
    min_ms: float
    max_ms: float
    runs: int


def measure(fn: Callable[[], object], runs: int, warmup: int) -> Timing:
    for _i in range(warmup):
        fn()
    times = []
    for _i in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return Timing(statistics.median(times), min(times), max(times), runs)


def fmt(t: Timing) -> str:
    return f"{t.median_ms:9.2f} ms  (min {t.min_ms:.2f}, max {t.max_ms:.2f}, n={t.runs})"


def dataset_summary() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT COUNT(*) FROM core_organization), (SELECT reltuples::bigint FROM pg_class WHERE relname = 'members_member')")
        orgs, members = cur.fetchone()
        cur.execute("SELECT version()")
        version = cur.fetchone()[0].split(" on ")[0]
    return f"{version}; {orgs:,} organizations, ~{members:,} members"
