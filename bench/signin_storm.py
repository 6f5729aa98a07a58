"""Sign-in storm: N members sign in by QR within a minute, plus 20 % replays, against gunicorn + PostgreSQL.

What it does (issue 4 "Load, bad input, correctness"):

1. creates (or re-creates) a separate PostgreSQL database (default ``dangjian_storm``) and
   migrates it fresh; a private var dir holds the secret key and field-encryption keys;
2. creates one branch with N members, each with a user account and a server-side session
   written straight into the session table (no N logins), and one meeting inviting all of them,
   with sign-in open;
3. starts gunicorn (``--workers`` 4, gthread, ``dangjian.settings.dev``) on a free local port;
   untimed, every member first opens the scanned link (``GET``: the confirm page), as the phone
   does before the tap (``--no-open`` skips it);
4. fires N distinct sign-ins (``POST /orglife/s/<current QR token>/``, each member's own session
   and CSRF cookie) spread evenly over ``--seconds`` (60) by an open-loop schedule, plus
   ``--replay`` (20 %) repeated sign-ins of members already sent, and a baseline of trivial
   ``GET /healthz`` requests (same sessions, same middleware) mixed into the same schedule, from
   a pool of ``--clients`` HTTP client threads (keep-alive connections);
5. starts the bare Django app of ``bench/bare`` (startproject's middleware, database sessions, an
   authenticated POST doing one unique INSERT) on its own database with N users and sessions,
   under the same gunicorn settings, and fires the same schedule at it (``--no-bare`` skips it);
6. prints requests, status counts, latency p50/p95/p99 of sign-ins and of the baseline, the
   ratio, throughput, and checks: no 5xx, every response a success page, exactly N attendance
   rows signed in (and N rows in total), exactly N ``orglife.sign_in`` audit rows, both apps'
   sign-in throughputs and their ratio (full stack / bare). Exit 1 if a check fails
   (``--min-ratio 0.7`` also makes a ratio below 70 % a failure).

    bash scripts/pg.sh
    .venv/bin/python bench/signin_storm.py                  # 2,000 members
    .venv/bin/python bench/signin_storm.py --members 200 --seconds 10 --db dangjian_storm_ci
    .venv/bin/python bench/signin_storm.py --seconds 3 --min-ratio 0.7   # saturating: throughput vs the bare app

PostgreSQL connection: PGHOST/PGPORT/PGUSER/PGPASSWORD (defaults 127.0.0.1, 5432, dangjian, dangjian).
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--members", type=int, default=2000)
    p.add_argument("--seconds", type=float, default=60.0, help="window in which every sign-in is sent")
    p.add_argument("--replay", type=float, default=0.2, help="share of replayed sign-ins (same member again)")
    p.add_argument("--baseline", type=float, default=0.1, help="share of GET /healthz baseline requests")
    p.add_argument("--clients", type=int, default=32, help="HTTP client threads")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers (gthread)")
    p.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    p.add_argument("--db", default="dangjian_storm", help="PostgreSQL database (dropped and re-created)")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--min-ratio", type=float, default=0.0, help="fail when full-stack / bare sign-in throughput is below this (e.g. 0.7)")
    p.add_argument("--no-bare", action="store_true", help="skip the bare Django app (bench/bare) run after the full stack")
    p.add_argument("--warmup", type=int, default=200, help="untimed read-only requests before each app's schedule (0: cold start)")
    p.add_argument("--no-open", action="store_true",
                   help="skip the untimed phase in which every member first opens the sign-in page (GET), as the phone does after the scan")
    return p.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(q / 100 * (len(v) - 1)))))
    return v[k]


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def setup_data(n: int, seed: int):
    """One branch, n members with users and sessions, one open meeting inviting them all."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone

    from dangjian.core import services as org_services
    from dangjian.core.privacy import id_check_char
    from dangjian.members.models import Member, MemberOrgHistory
    from dangjian.orglife.models import Attendance, Meeting, MeetingStatus, MeetingType

    User = get_user_model()
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        county = org_services.create_organization(actor=None, parent=None, name="压测县委", kind="county")
        town = org_services.create_organization(actor=None, parent=county, name="压测镇党委", kind="town")
        branch = org_services.create_organization(actor=None, parent=town, name="压测村党支部", kind="branch", area_type="village")
        unusable = "!"  # an unusable password hash: these users never sign in with a password
        users = User.objects.bulk_create([User(username=f"storm{i:05d}", password=unusable) for i in range(n)])
        members = []
        for i, u in enumerate(users):
            birth = dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
            first17 = f"37{(i // 1000) % 10000:04d}{birth:%Y%m%d}{i % 1000:03d}"
            members.append(Member(
                org=branch, org_path=branch.path, user=u, name=f"党员{i:05d}", gender="M" if i % 2 else "F",
                birth_date=birth, id_number=first17 + id_check_char(first17), phone=f"139{rng.randrange(10**8):08d}",
                address="压测村", education="senior", joined_on=birth.replace(year=birth.year + 25),
                full_member_on=birth.replace(year=birth.year + 26), status="full", category="farmer",
            ))
        members = Member.objects.bulk_create(members, batch_size=500)
        MemberOrgHistory.objects.bulk_create([MemberOrgHistory(member=m, org=branch, started_on=m.joined_on) for m in members], batch_size=1000)
        mtype = MeetingType.objects.get(owner_path="", code="general_meeting")
        meeting = Meeting.objects.create(org=branch, org_path=branch.path, type=mtype, title="压测党员大会",
                                         starts_at=now + dt.timedelta(minutes=30), ends_at=now + dt.timedelta(hours=2),
                                         place="大礼堂", status=MeetingStatus.OPEN, opened_at=now, reminder_sent_at=now)
        Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m, org_path=branch.path) for m in members], batch_size=1000)
        store = SessionStore()
        expire = now + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE * 8)
        sessions = []
        for u in users:
            key = secrets.token_hex(16)
            data = {SESSION_KEY: str(u.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: u.get_session_auth_hash(), "_dj_login_at": int(time.time())}
            sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        Session.objects.bulk_create(sessions, batch_size=1000)
    analyze()
    return meeting, [s.session_key for s in sessions]


def analyze() -> None:
    """Table statistics, as autovacuum gathers them within a minute of a bulk load: on fresh
    tables the planner guesses, and picked the meeting's index over the (meeting, member) one,
    reading every invitation of the meeting per sign-in. The bare app's prepare does the same."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def start_gunicorn(port: int, env: dict, workers: int, threads: int, log: Path, app: str = "dangjian.wsgi:application") -> subprocess.Popen:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), app, "-b", f"127.0.0.1:{port}",
           "-w", str(workers), "-k", "gthread", "--threads", str(threads), "--keep-alive", "5",
           "--timeout", "60", "--log-level", "warning"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env,  # noqa: S603 (our own gunicorn)
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz")


def warm_up(port: int, args, request_for) -> None:
    """Untimed: ``--warmup`` anonymous requests of kind ``warmup`` (a page that writes nothing) from every client
    thread at once, so each gunicorn worker has imported its views, compiled its templates and
    opened its database connection before the schedule starts (the same for both apps)."""
    local = threading.local()

    def one(i: int) -> None:
        c = getattr(local, "c", None) or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local.c = c
        method, path, body, headers = request_for("warmup", i % args.members)
        c.request(method, path, body=body, headers=headers)
        c.getresponse().read()

    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        list(pool.map(one, range(args.warmup)))


def open_pages(port: int, args, request_for) -> None:
    """Untimed: every member opens the sign-in page first (``GET`` of the scanned link, kind ``open``),
    as a phone does before the member taps "sign in" — which is where a once-a-minute session
    renewal falls in real use. The timed schedule then sends the taps (POST). Same for both apps."""
    local = threading.local()

    def one(member: int) -> None:
        c = getattr(local, "c", None) or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local.c = c
        method, path, body, headers = request_for("open", member)
        c.request(method, path, body=body, headers=headers)
        c.getresponse().read()

    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        list(pool.map(one, range(args.members)))


def run_server(app: str, env: dict, args, jobs, request_for, log: Path):
    """Start gunicorn serving ``app``, fire the schedule at it, stop it; (results, wall seconds, load before, after)."""
    port = free_port()
    proc = start_gunicorn(port, env, args.workers, args.threads, log, app)
    try:
        wait_ready(port, proc)
        if args.warmup:
            warm_up(port, args, request_for)
        if not args.no_open:
            open_pages(port, args, request_for)
        interval = args.seconds / len(jobs)
        local = threading.local()
        results: list[tuple[str, int, float, bool]] = []
        lock = threading.Lock()
        start_at = time.perf_counter() + 0.5

        def conn() -> http.client.HTTPConnection:
            c = getattr(local, "c", None)
            if c is None:
                c = local.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            return c

        def fire(idx: int, kind: str, member: int) -> None:
            delay = start_at + idx * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            method, path, body, headers = request_for(kind, member)
            t = time.perf_counter()
            for attempt in range(2):
                try:
                    c = conn()
                    c.request(method, path, body=body, headers=headers)
                    r = c.getresponse()
                    data = r.read()
                    status = r.status
                    break
                except (OSError, http.client.HTTPException):
                    local.c = None
                    if attempt:
                        status, data = 599, b""
            ms = (time.perf_counter() - t) * 1000
            ok = status == 200 and (kind == "healthz" or b"signin-ok" in data or b"signin-already" in data)
            with lock:
                results.append((kind, status, ms, ok))

        load_before = os.getloadavg()
        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            for idx, (kind, member) in enumerate(jobs):
                pool.submit(fire, idx, kind, member)
        wall = time.perf_counter() - wall - 0.5
        load_after = os.getloadavg()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return results, wall, load_before, load_after


def prepare_bare(args, var: Path) -> dict:
    """The yardstick (bench/bare): its own database, N users with sessions; the same client schedule."""
    db = f"{args.db}_bare"
    recreate_database(db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGJIAN_")}
    env.update(DJANGO_SETTINGS_MODULE="bench.bare.settings", PGDATABASE=db, PYTHONPATH=str(ROOT))
    keyfile = var / "bare-keys.txt"
    subprocess.run([sys.executable, "-m", "bench.bare.prepare", str(args.members), str(keyfile)],  # noqa: S603
                   cwd=ROOT, env=env, check=True)
    keys = keyfile.read_text().split()
    csrf = secrets.token_hex(16)

    def request_for(kind: str, member: int):
        cookie = f"sessionid={keys[member]}; csrftoken={csrf}"
        if kind == "warmup":
            return "GET", "/healthz", None, {}
        if kind == "open":  # the yardstick has no page to open: the same GET, answered 405, writes nothing
            return "GET", "/s/", None, {"Cookie": cookie}
        if kind == "healthz":
            return "GET", "/healthz", None, {"Cookie": cookie}
        return "POST", "/s/", "", {"Cookie": cookie, "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded"}

    return {"db": db, "env": env, "request": request_for}


def bare_rows(db: str) -> int:
    import psycopg

    with psycopg.connect(dbname=db) as conn:
        return conn.execute("SELECT COUNT(*) FROM bare_signin").fetchone()[0]


def main() -> int:
    args = arguments()
    sys.path.insert(0, str(ROOT))
    for k, v in {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "dangjian", "PGPASSWORD": "dangjian"}.items():
        os.environ.setdefault(k, v)
    var = Path(tempfile.mkdtemp(prefix="signin-storm-"))
    os.environ.update(DJANGO_SETTINGS_MODULE="dangjian.settings.dev", DANGJIAN_DB="postgres", PGDATABASE=args.db,
                      DANGJIAN_VAR_DIR=str(var), DANGJIAN_KEY_FILE=str(var / "keys.json"))
    os.environ.pop("DANGJIAN_REDIS_URL", None)
    t0 = time.time()
    recreate_database(args.db)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", verbosity=0)
    t_migrate = time.time() - t0
    meeting, keys = setup_data(args.members, args.seed)
    t_setup = time.time() - t0 - t_migrate
    from dangjian.core.models import AuditEvent
    from dangjian.orglife import tokens
    from dangjian.orglife.models import Attendance, AttendanceStatus

    connections.close_all()
    print(f"database {args.db} migrated in {t_migrate:.1f} s; {args.members} members, users, sessions and one open meeting in {t_setup:.1f} s")

    # the schedule: N first sign-ins, replays of members sent earlier, baseline GETs
    rng = random.Random(args.seed)
    order = list(range(args.members))
    rng.shuffle(order)
    jobs: list[tuple[str, int]] = [("signin", i) for i in order]
    for _k in range(int(args.members * args.replay)):
        pos = rng.randrange(1, len(jobs))
        earlier = [j for j in jobs[max(0, pos - 50):pos] if j[0] == "signin"]
        jobs.insert(pos, ("replay", (rng.choice(earlier) if earlier else jobs[0])[1]))
    for _k in range(int(args.members * args.baseline)):
        jobs.insert(rng.randrange(0, len(jobs)), ("healthz", rng.randrange(args.members)))
    csrf = secrets.token_hex(16)

    def full_request(kind: str, member: int):
        cookie = f"sessionid={keys[member]}; csrftoken={csrf}"
        if kind == "healthz":
            return "GET", "/healthz", None, {"Cookie": cookie}
        if kind == "warmup":  # anonymous, writes nothing: the URLconf (every app's views), a rendered page, a connection
            return "GET", "/accounts/login/", None, {"Accept-Language": "en"}
        headers = {"Cookie": cookie, "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"}
        if kind == "open":  # the scanned link: the confirm page (renews the session's activity stamp)
            return "GET", f"/orglife/s/{tokens.make_token(meeting)}/", None, {"Cookie": cookie, "Accept-Language": "en"}
        return "POST", f"/orglife/s/{tokens.make_token(meeting)}/", "", headers

    log = var / "gunicorn.log"
    bare = None
    if not args.no_bare:
        bare = prepare_bare(args, var)
        print(f"bare app: database {bare['db']} migrated, {args.members} users and sessions")
    results, wall, load_before, load_after = run_server("dangjian.wsgi:application", dict(os.environ), args, jobs, full_request, log)
    bare_run = run_server("bench.bare.wsgi:application", bare["env"], args, jobs, bare["request"], var / "bare.log") if bare else None
    statuses = Counter(s for _k, s, _ms, _ok in results)
    by_kind = Counter(k for k, _s, _ms, _ok in results)
    signin_ms = [ms for k, _s, ms, _ok in results if k != "healthz"]
    base_ms = [ms for k, _s, ms, _ok in results if k == "healthz"]
    bad = [(k, s) for k, s, _ms, ok in results if not ok]
    signed = Attendance.objects.filter(meeting=meeting, status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE]).count()
    rows = Attendance.objects.filter(meeting=meeting).count()
    audits = AuditEvent.objects.filter(action="orglife.sign_in").count()
    methods = Counter(Attendance.objects.filter(meeting=meeting).values_list("method", flat=True))
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        version = cur.fetchone()[0].split(" on ")[0]
    connections.close_all()

    print(f"server: gunicorn {args.workers} workers × {args.threads} threads (gthread), {version}, {os.cpu_count()} CPUs; "
          f"{args.clients} client threads; load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
          f"(1 min; other processes share the machine)")
    print(f"requests: {len(results)} = {by_kind['signin']} sign-ins + {by_kind['replay']} replays + {by_kind['healthz']} baseline GETs, "
          f"sent over {args.seconds:.0f} s, finished in {wall:.1f} s")
    print(f"status counts: {dict(sorted(statuses.items()))}")
    print(f"sign-in latency (incl. replays): p50 {pct(signin_ms, 50):.1f} ms, p95 {pct(signin_ms, 95):.1f} ms, "
          f"p99 {pct(signin_ms, 99):.1f} ms, max {max(signin_ms):.1f} ms")
    if base_ms:
        print(f"baseline GET /healthz under the same load: p50 {pct(base_ms, 50):.1f} ms, p95 {pct(base_ms, 95):.1f} ms, "
              f"p99 {pct(base_ms, 99):.1f} ms; ratio sign-in/baseline: p50 ×{pct(signin_ms, 50) / pct(base_ms, 50):.1f}, "
              f"p95 ×{pct(signin_ms, 95) / pct(base_ms, 95):.1f}")
    print(f"throughput: {len(results) / wall:.1f} requests/s overall, {len(signin_ms) / wall:.1f} sign-in requests/s "
          f"(mean {statistics.mean(signin_ms):.1f} ms)")
    print(f"attendance rows: {rows} (signed in: {signed}; methods {dict(methods)}); audit rows orglife.sign_in: {audits}")
    failures = []
    full_rate = len(signin_ms) / wall
    if bare_run is not None:
        b_results, b_wall, b_before, b_after = bare_run
        b_status = Counter(s for _k, s, _ms, _ok in b_results)
        b_signin_ms = [ms for k, _s, ms, _ok in b_results if k != "healthz"]
        b_bad = [(k, s) for k, s, _ms, ok in b_results if not ok]
        b_rows = bare_rows(bare["db"])
        bare_rate = len(b_signin_ms) / b_wall
        print(f"bare Django app (bench/bare, same gunicorn, same PostgreSQL, same client schedule): load average before "
              f"{b_before[0]:.1f}, after {b_after[0]:.1f}; finished in {b_wall:.1f} s; status counts {dict(sorted(b_status.items()))}; "
              f"p50 {pct(b_signin_ms, 50):.1f} ms, p95 {pct(b_signin_ms, 95):.1f} ms; {len(b_results) / b_wall:.1f} requests/s overall, "
              f"{bare_rate:.1f} sign-in requests/s; rows {b_rows}")
        ratio = full_rate / bare_rate
        print(f"ratio full stack / bare app (sign-in requests/s): {full_rate:.1f} / {bare_rate:.1f} = {ratio:.0%}"
              + (f" (target {args.min_ratio:.0%})" if args.min_ratio else ""))
        if b_bad or b_rows != args.members:
            failures.append(f"bare app: {len(b_bad)} bad responses, {b_rows} rows (expected {args.members})")
        if args.min_ratio and ratio < args.min_ratio:
            failures.append(f"full stack reached {ratio:.0%} of the bare app, below {args.min_ratio:.0%}")
        if not args.keep:
            drop_database(bare["db"])
    if any(s >= 500 for s in statuses):
        failures.append(f"server errors: {[s for s in statuses if s >= 500]}")
    if bad:
        failures.append(f"{len(bad)} responses were not a success page: {Counter(bad).most_common(5)}")
    if signed != args.members or rows != args.members:
        failures.append(f"expected exactly {args.members} signed-in rows, got {signed} of {rows}")
    if audits != args.members:
        failures.append(f"expected {args.members} audit rows, got {audits}")
    if not args.keep:
        drop_database(args.db)
    if failures:
        print("FAILED: " + "; ".join(failures))
        if log.exists():
            print(log.read_text()[-3000:])
        shutil.rmtree(var, ignore_errors=True)
        return 1
    shutil.rmtree(var, ignore_errors=True)
    print(f"OK: exactly {args.members} attendance rows, no 5xx, every replay answered 'already signed in'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
