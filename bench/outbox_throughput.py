"""Outbox throughput: writing rows in one transaction, and claiming + delivering them with a
no-op channel (the database work per message: claim under a lease, mark sent), by 1 and by 4
concurrent threads. SQLite file DB by default; PostgreSQL with DANGJIAN_DB=postgres (database
PGDATABASE, default dangjian_bench_outbox, created if missing).

    .venv/bin/python bench/outbox_throughput.py [--n 5000]
    DANGJIAN_DB=postgres PGHOST=127.0.0.1 PGUSER=dangjian PGPASSWORD=dangjian .venv/bin/python bench/outbox_throughput.py
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=5000)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    tmp = tempfile.mkdtemp(prefix="outbox-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.test")
    os.environ.setdefault("DANGJIAN_SQLITE", str(Path(tmp) / "bench.sqlite3"))
    if os.environ.get("DANGJIAN_DB") == "postgres":
        os.environ.setdefault("PGDATABASE", "dangjian_bench_outbox")
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [os.environ["PGDATABASE"]]).fetchone():
                conn.execute(f'CREATE DATABASE "{os.environ["PGDATABASE"]}"')
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    from dangjian.jobs import services
    from dangjian.jobs.api import CHANNELS, outbox_put
    from dangjian.jobs.models import OutboxMessage

    call_command("migrate", verbosity=0)
    CHANNELS["bench"] = lambda message: None
    print(f"database: {connection.vendor}; {args.n} messages per run; batch {services.conf('batch')}")

    def fill():
        OutboxMessage.objects.filter(channel="bench").delete()
        services.outbox._kick = lambda: None  # measure the worker side alone
        t = time.perf_counter()
        with transaction.atomic():
            for i in range(args.n):
                outbox_put(channel="bench", to=f"member:{i}", payload={"text": "会议通知"})
        return time.perf_counter() - t

    for threads in (1, 4):
        dt_put = fill()
        done = []

        def work(done=done):
            try:
                done.append(services.deliver_due(worker=f"bench-{threading.get_ident()}", seconds=600).get("sent", 0))
            finally:
                connections.close_all()

        t = time.perf_counter()
        pool = [threading.Thread(target=work) for _ in range(threads)]
        for th in pool:
            th.start()
        for th in pool:
            th.join()
        dt = time.perf_counter() - t
        sent = OutboxMessage.objects.filter(channel="bench", status="sent").count()
        assert sent == args.n == sum(done), (sent, sum(done))
        print(f"outbox_put: {args.n / dt_put:,.0f} rows/s in one transaction | deliver, {threads} thread(s): "
              f"{args.n / dt:,.0f} msg/s (each delivered once: {sent} sent)")
    OutboxMessage.objects.filter(channel="bench").delete()


if __name__ == "__main__":
    main()
