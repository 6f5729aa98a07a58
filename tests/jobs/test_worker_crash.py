"""Worker crash (SECURITY.md test family): ``kill -9`` a worker in the middle of a 1,000-message
batch against a local gateway process; 0 lost, 0 duplicated at the gateway.

Everything runs as real processes: the gateway (tests/jobs/gateway.py), the seeding "web"
process, and ``manage.py run_worker`` (Huey consumer, 2 threads). The first worker is killed
after ≥100 messages and before 1,000; then two workers run side by side and finish the batch,
reclaiming the dead worker's leased rows. The gateway refuses some requests (503) and loses
some answers after accepting (500), so retries with backoff and key-level de-duplication are
exercised too. Backends: SQLite file DB + SqliteHuey, and PostgreSQL + RedisHuey.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
N = 1000
PG = os.environ.get("DANGJIAN_DB") == "postgres"
REDIS_URL = os.environ.get("DANGJIAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception:
        return False


class Harness:
    def __init__(self, tmp: Path, env: dict):
        self.tmp, self.env, self.procs = tmp, env, []

    def run(self, *args, timeout=60) -> str:
        out = subprocess.run([sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)  # noqa: S603 (our own scripts)
        assert out.returncode == 0, f"{args}: {out.stdout[-2000:]}\n{out.stderr[-4000:]}"
        return out.stdout

    def tool(self, *args):
        return json.loads(self.run("-m", "tests.jobs.crash_tool", *args).strip().splitlines()[-1])

    def start(self, name: str, *args) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "w")  # closed in stop_all
        p = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 (our own scripts)
        self.procs.append((name, p, log))
        return p

    def start_worker(self, name: str) -> subprocess.Popen:
        return self.start(name, "manage.py", "run_worker", "--workers", "2", "--delay", "0.05", "--max-delay", "0.5")

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{(self.tmp / f'{name}.log').read_text()[-3000:]}" for name, _p, _l in self.procs)

    def stop_all(self):
        for _name, p, _log in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for _name, p, log in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            log.close()


def gateway_counts(db: Path) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        posts = dict(con.execute("SELECT outcome, COUNT(*) FROM posts GROUP BY outcome").fetchall())
        accepted = con.execute("SELECT COUNT(*), COUNT(DISTINCT key), MIN(at), MAX(at) FROM accepted").fetchone()
        keys = [int(k) for (k,) in con.execute("SELECT key FROM accepted")]
        dup_keys = con.execute("SELECT COUNT(*) FROM (SELECT key FROM posts GROUP BY key HAVING COUNT(*) > 1)").fetchone()[0]
        texts = dict(con.execute("SELECT key, text FROM accepted").fetchall())
    finally:
        con.close()
    return {"posts": posts, "accepted": accepted[0], "distinct": accepted[1], "first": accepted[2], "last": accepted[3],
            "keys": keys, "keys_posted_more_than_once": dup_keys, "texts": texts}


def accepted_so_far(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT COUNT(*) FROM accepted").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def crash_run(tmp: Path, env: dict, label: str) -> None:
    h = Harness(tmp, env)
    gw_db, portfile = tmp / "gateway.sqlite3", tmp / "gateway.port"
    try:
        h.start("gateway", "tests/jobs/gateway.py", str(gw_db), str(portfile), "--refuse-every", "23", "--lose-every", "37", "--delay-ms", "1")
        for _ in range(200):
            if portfile.exists():
                break
            time.sleep(0.05)
        env["DANGJIAN_TEST_GATEWAY"] = f"http://127.0.0.1:{portfile.read_text()}/send"

        ids = h.tool("seed", str(N))["ids"]
        assert len(ids) == N

        t0 = time.time()
        w1 = h.start_worker("worker1")
        deadline = time.time() + 30
        while accepted_so_far(gw_db) < 100 and time.time() < deadline and w1.poll() is None:
            time.sleep(0.01)
        os.kill(w1.pid, signal.SIGKILL)  # kill -9 in the middle of the batch
        w1.wait()
        at_kill = accepted_so_far(gw_db)
        assert 100 <= at_kill < N, f"killed at {at_kill} accepted\n{h.logs()}"

        t1 = time.time()
        h.start_worker("worker2")
        h.start_worker("worker3")
        deadline = time.time() + 45
        while accepted_so_far(gw_db) < N and time.time() < deadline:
            time.sleep(0.1)
        report = {}
        while time.time() < deadline:  # the gateway has them all: wait for the rows to say "sent"
            report = h.tool("report")
            if report["status"] == {"sent": N}:
                break
            time.sleep(0.5)
        t2 = time.time()
        assert report.get("status") == {"sent": N}, f"{report.get('status')}\n{h.logs()}"
    finally:
        h.stop_all()

    g = gateway_counts(gw_db)
    assert sorted(g["keys"]) == sorted(ids), "every message reached the gateway under its own id"  # 0 lost
    assert g["accepted"] == g["distinct"] == N  # 0 duplicated
    assert sorted(report["ids"]) == sorted(ids)
    assert all(g["texts"][str(i)].startswith("【党建】第") for i in ids)
    posts = sum(g["posts"].values())
    assert g["posts"].get("bad", 0) == 0
    assert g["posts"].get("duplicate", 0) >= 1, "a lost answer was retried and de-duplicated by key"
    assert g["posts"].get("refused", 0) >= 1
    print(f"\n[worker crash, {label}] {N} messages; worker1 killed (-9) after {at_kill} accepted ({t1 - t0:.1f}s); "
          f"2 workers finished in {t2 - t1:.1f}s. Gateway: {posts} POSTs = {g['accepted']} accepted (0 lost, 0 duplicated) + "
          f"{g['posts'].get('duplicate', 0)} re-sends de-duplicated by key + {g['posts'].get('refused', 0)} refused (503); "
          f"{g['posts'].get('accepted-lost', 0)} answers lost after accept; {g['keys_posted_more_than_once']} ids posted more than once; "
          f"attempts per row {report['attempts']}; overall {N / (g['last'] - g['first']):.0f} msg/s at the gateway")


def base_env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="tests.jobs.worker_settings", DANGJIAN_VAR_DIR=str(tmp), PYTHONDONTWRITEBYTECODE="1",
               DANGJIAN_HUEY_NAME=f"dangjian-crash-{uuid.uuid4().hex[:8]}")
    env.pop("DANGJIAN_REDIS_URL", None)
    return env


@pytest.mark.skipif(PG, reason="the SQLite variant runs in the SQLite test run")
def test_kill_9_mid_batch_sqlite(tmp_path):
    env = base_env(tmp_path)
    env.update(DANGJIAN_DB="sqlite", DANGJIAN_SQLITE=str(tmp_path / "crash.sqlite3"))
    Harness(tmp_path, env).run("manage.py", "migrate", "-v", "0", timeout=300)  # slow on a busy 2-core machine
    crash_run(tmp_path, env, "SQLite + SqliteHuey")


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG, reason="needs DANGJIAN_DB=postgres")
def test_kill_9_mid_batch_postgres_redis(tmp_path, django_db_setup):
    if not redis_answers():
        if os.environ.get("DANGJIAN_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis does not answer at {REDIS_URL} (scripts/redis.sh starts it)")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    from django.db import connection

    env = base_env(tmp_path)
    env.update(DANGJIAN_DB="postgres", PGDATABASE=connection.settings_dict["NAME"], DANGJIAN_REDIS_URL=REDIS_URL)
    h = Harness(tmp_path, env)
    h.run("-m", "tests.jobs.crash_tool", "purge")
    try:
        crash_run(tmp_path, env, "PostgreSQL + RedisHuey")
    finally:
        h.run("-m", "tests.jobs.crash_tool", "purge")
