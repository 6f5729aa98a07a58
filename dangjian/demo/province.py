"""Province-scale load for benchmarks (PostgreSQL only): ~300 k organizations, ~7 M members.

* The plan (tree.py) is built in the parent; organizations are written with one COPY, with
  explicit ids (plan key + 1), and the sequence is moved past them.
* Members are generated and encrypted in ``workers`` processes (fork), each owning whole
  regions (a county, or a city's own units) so ID-number sequences stay unique without
  coordination; each writes its rows with psycopg 3 ``cursor.copy`` on its own connection and
  commits per region. Member ids are pre-assigned per region from the plan's sizes.
* Encryption and blind indexes use the model field itself (``get_prep_value``/``index_of``):
  byte-for-byte what ``EncryptedTextField.pre_save`` would store.
* Secondary indexes and foreign keys of the member tables are dropped before the COPY and
  recreated after it (from their saved definitions), then ANALYZE, then the set-based rollup
  (``refresh_rollups --sql``).
"""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import threading
import time
from collections.abc import Callable

from django.db import connection, connections, transaction
from django.utils import timezone

from dangjian.core import crypto
from dangjian.core.models import Organization
from dangjian.members.api import Member

from .accounts import Account, create_accounts
from .generator import HISTORY_REASON, history_start, iter_region_members, record_step
from .tree import Plan, Region, build_plan

MEMBER_COLUMNS = (
    "id", "org_id", "org_path", "name", "gender", "ethnicity", "birth_date", "id_number", "id_number_bidx", "phone",
    "phone_bidx", "address", "education", "joined_on", "full_member_on", "status", "category", "work_unit", "position",
    "state", "created_at", "updated_at",
)
HISTORY_COLUMNS = ("id", "member_id", "org_id", "started_on", "reason")
ORG_COLUMNS = (
    "id", "name", "kind", "area_type", "code", "parent_id", "path", "depth", "status", "is_joint", "unit_count",
    "founded_on", "term_started_on", "term_ends_on", "created_at",
)
MEMBER_TABLES = ("members_memberorghistory", "members_member")


# -- organizations ------------------------------------------------------------------------------
def copy_organizations(plan: Plan) -> int:
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        with cur.cursor.copy(f"COPY core_organization ({', '.join(ORG_COLUMNS)}) FROM STDIN") as copy:
            for n in plan.nodes:
                copy.write_row((
                    n.key + 1, n.name, n.kind, n.area_type, "", n.parent + 1 if n.parent is not None else None, n.path,
                    n.depth, "active", n.is_joint, n.unit_count, n.founded_on, n.term_started_on, n.term_ends_on, now,
                ))
        cur.execute("SELECT setval(pg_get_serial_sequence('core_organization', 'id'), %s)", [len(plan.nodes)])
    return len(plan.nodes)


# -- secondary indexes ------------------------------------------------------------------------
def drop_secondary_indexes() -> list[str]:
    """Drop the member tables' FKs, unique constraints and indexes (not the primary keys);
    return the statements that recreate them, constraints last."""
    create: list[str] = []
    constraints: list[str] = []
    with connection.cursor() as cur:
        for table in MEMBER_TABLES:
            cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                [table],
            )
            for name, definition in cur.fetchall():
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                constraints.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table in MEMBER_TABLES:
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND i.indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            for name, definition in cur.fetchall():
                cur.execute(f'DROP INDEX "{name}"')
                create.append(definition)
    # Unique constraints before foreign keys (the history → member FK needs the member PK only).
    constraints.sort(key=lambda s: "FOREIGN KEY" in s)
    return create + constraints


def recreate_indexes(statements: list[str], say: Callable[[str], None], parallel: int = 2) -> None:
    """Run CREATE INDEX statements on ``parallel`` connections, then the constraints."""
    indexes = [s for s in statements if s.startswith("CREATE")]
    constraints = [s for s in statements if not s.startswith("CREATE")]
    params = _pg_params()
    errors: list[BaseException] = []

    def run(chunk: list[str]) -> None:
        import psycopg

        try:
            with psycopg.connect(**params, autocommit=True) as conn:
                conn.execute("SET maintenance_work_mem = '1GB'")
                for sql in chunk:
                    t = time.monotonic()
                    conn.execute(sql)
                    say(f"    {time.monotonic() - t:6.1f} s  {sql[:110]}")
        except BaseException as e:  # noqa: BLE001 - reported by the caller
            errors.append(e)

    threads = [threading.Thread(target=run, args=(indexes[i::parallel],)) for i in range(parallel)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    run(constraints)
    if errors:
        raise errors[0]


# -- members (worker processes) ---------------------------------------------------------------
def _pg_params() -> dict:
    s = connection.settings_dict
    return {"host": s["HOST"], "port": s["PORT"], "dbname": s["NAME"], "user": s["USER"], "password": s["PASSWORD"]}


def region_starts(plan: Plan) -> list[int]:
    """First member id of each region (ids are pre-assigned so workers need no coordination)."""
    starts, next_id = [], 1
    for r in plan.regions:
        starts.append(next_id)
        next_id += r.members
    return starts


def assign_regions(plan: Plan, workers: int) -> list[list[int]]:
    """Spread regions over workers, biggest first onto the least loaded."""
    loads = [0] * workers
    out: list[list[int]] = [[] for _i in range(workers)]
    for i in sorted(range(len(plan.regions)), key=lambda i: -plan.regions[i].members):
        w = loads.index(min(loads))
        out[w].append(i)
        loads[w] += plan.regions[i].members
    return out


class RowMaker:
    """Member rows as EncryptedTextField would store them (ciphertext + blind index)."""

    def __init__(self):
        self.fid = Member._meta.get_field("id_number")
        self.fphone = Member._meta.get_field("phone")
        self.faddr = Member._meta.get_field("address")
        self.now = timezone.now()

    def row(self, mid: int, org_id: int, path: str, f: dict) -> tuple:
        idn, ph = f["id_number"], f["phone"]
        return (
            mid, org_id, path, f["name"], f["gender"], f["ethnicity"], f["birth_date"],
            self.fid.get_prep_value(idn), self.fid.index_of(idn) if idn else None,
            self.fphone.get_prep_value(ph), self.fphone.index_of(ph) if ph else None,
            self.faddr.get_prep_value(f["address"]), f["education"], f["joined_on"], f["full_member_on"], f["status"],
            f["category"], f["work_unit"], f["position"], "active", self.now, self.now,
        )


def load_region(conn, plan: Plan, region: Region, start_id: int, seed: int, today: dt.date, maker: RowMaker, progress) -> int:
    """COPY one region's members and their first history rows; commit; return the row count."""
    history = []
    mid = start_id
    pending = 0
    with conn.cursor() as cur:
        with cur.copy(f"COPY members_member ({', '.join(MEMBER_COLUMNS)}) FROM STDIN") as copy:
            for node, fields in iter_region_members(plan, region, seed, today):
                copy.write_row(maker.row(mid, node.key + 1, node.path, fields))
                history.append((mid, mid, node.key + 1, history_start(node, fields), HISTORY_REASON))
                mid += 1
                pending += 1
                if pending == 5000:
                    _bump(progress, pending)
                    pending = 0
        with cur.copy(f"COPY members_memberorghistory ({', '.join(HISTORY_COLUMNS)}) FROM STDIN") as copy:
            for row in history:
                copy.write_row(row)
    conn.commit()
    _bump(progress, pending)
    return mid - start_id


def _bump(progress, n: int) -> None:
    with progress.get_lock():
        progress.value += n


def worker(plan: Plan, region_ids: list[int], starts: list[int], seed: int, today: dt.date, params: dict, progress) -> None:
    import psycopg

    maker = RowMaker()
    with psycopg.connect(**params) as conn:
        conn.execute("SET synchronous_commit = off")
        for i in region_ids:
            n = load_region(conn, plan, plan.regions[i], starts[i], seed, today, maker, progress)
            if n != plan.regions[i].members:
                raise RuntimeError(f"region {plan.regions[i].code}: {n} rows, planned {plan.regions[i].members}")


def copy_members(plan: Plan, seed: int, today: dt.date, workers: int, say: Callable[[str], None]) -> int:
    crypto.keyring()  # load the keys before forking
    starts = region_starts(plan)
    params = _pg_params()
    connections.close_all()  # never share a connection across fork
    ctx = mp.get_context("fork")
    progress = ctx.Value("q", 0)
    procs = [ctx.Process(target=worker, args=(plan, ids, starts, seed, today, params, progress))
             for ids in assign_regions(plan, workers)]
    t0 = time.monotonic()
    for p in procs:
        p.start()
    total = plan.members
    while any(p.is_alive() for p in procs):
        for p in procs:
            p.join(timeout=15 / len(procs))
        done = progress.value
        rate = done / max(time.monotonic() - t0, 1e-6)
        eta = (total - done) / rate if rate else 0
        say(f"    members {done:>9,} / {total:,}  {rate:,.0f}/s  eta {eta / 60:.1f} min")
    failed = [p.exitcode for p in procs if p.exitcode]
    if failed:
        raise RuntimeError(f"a member worker failed (exit codes {failed})")
    with connection.cursor() as cur:
        cur.execute("SELECT setval(pg_get_serial_sequence('members_member', 'id'), %s)", [total])
        cur.execute("SELECT setval(pg_get_serial_sequence('members_memberorghistory', 'id'), %s)", [total])
    return total


# -- the whole load --------------------------------------------------------------------------
def load(*, seed: int, password: str, fraction: float = 1.0, workers: int = 2, today: dt.date | None = None,
         say: Callable[[str], None] = print) -> list[Account]:
    from django.core.management import call_command

    today = today or timezone.localdate()
    t0 = time.monotonic()

    def step(label: str, start: float) -> float:
        now = time.monotonic()
        say(f"  {label}: {now - start:.1f} s (elapsed {(now - t0) / 60:.1f} min)")
        return now

    plan = build_plan("province", seed, today, fraction)
    t = step(f"plan: {len(plan.nodes):,} organizations, {plan.members:,} members, {len(plan.regions)} regions", t0)
    copy_organizations(plan)
    record_step("organizations", "province", seed, organizations=len(plan.nodes), fraction=fraction)
    t = step("organizations (COPY)", t)
    statements = drop_secondary_indexes()
    t = step(f"dropped {len(statements)} secondary indexes/constraints of the member tables", t)
    try:
        n = copy_members(plan, seed, today, workers, say)
        t = step(f"members + history (COPY, {workers} workers)", t)
    finally:
        say("  recreating indexes and constraints ...")
        recreate_indexes(statements, say)
        t = step("indexes", t)
    record_step("members", "province", seed, members=n, org_history=n)
    with connection.cursor() as cur:
        for table in ("core_organization", *MEMBER_TABLES):
            cur.execute(f"ANALYZE {table}")
    t = step("ANALYZE", t)
    call_command("refresh_rollups", sql=True, stdout=_Say(say))
    record_step("rollups", "province", seed, rollup_rows=len(plan.nodes))
    t = step("rollups (SQL)", t)
    with transaction.atomic():
        orgs = {mark: Organization.objects.get(pk=key + 1) for mark, key in plan.marks.items()}
        accounts = create_accounts(orgs, password, with_province=True)
    step("accounts", t)
    say(f"Loaded {len(plan.nodes):,} organizations and {n:,} members in {(time.monotonic() - t0) / 60:.1f} min.")
    return accounts


class _Say:
    def __init__(self, say):
        self.say = say

    def write(self, s: str) -> None:
        if s.strip():
            self.say("    " + s.strip())

    def flush(self) -> None:
        pass
