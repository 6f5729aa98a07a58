"""Loading a demo scale into the database through the ORM (tiny and county scales).

Members are built in memory and written with ``bulk_create`` in batches (EncryptedTextField
encrypts and fills the blind indexes in ``pre_save``, which bulk_create calls), organizations
level by level with the paths computed by the plan. One audit row ("demo.load") is written per
bulk step instead of one per row; rollups are rebuilt at the end with ``refresh_all``.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone

from dangjian.core import audit, rollups
from dangjian.core.models import AuditEvent, Organization
from dangjian.members.api import Member, MemberOrgHistory

from .accounts import Account, create_accounts
from .people import PersonGenerator
from .tree import OrgNode, Plan, Region, build_plan
from .units import populate

BATCH = 2000
HISTORY_REASON = "建立党员档案（演示数据）"


class NotEmpty(Exception):
    """The database already holds organizations or members."""


@dataclass
class LoadResult:
    plan: Plan
    org_ids: dict[int, int]
    members: int
    accounts: list[Account]
    timings: dict[str, float] = field(default_factory=dict)


def database_is_empty() -> bool:
    return not (Organization.objects.exists() or Member.objects.exists())


def demo_was_loaded() -> bool:
    return AuditEvent.objects.filter(action="demo.load").exists()


def region_rng(seed: int, region: Region) -> random.Random:
    """Each region gets its own generator: data do not depend on how regions are split over processes."""
    return random.Random(f"{seed}:{region.code}")  # nosec B311 # seeded, reproducible demo data


def iter_region_members(plan: Plan, region: Region, seed: int, today: dt.date) -> Iterator[tuple[OrgNode, dict]]:
    gen = PersonGenerator(region_rng(seed, region), today)
    for spec in region.units:
        for key, fields in populate(spec, gen):
            yield plan.nodes[key], fields


def history_start(node: OrgNode, fields: dict) -> dt.date:
    """A member's first membership starts when they joined, or when the branch was founded."""
    joined = fields["joined_on"]
    return max(joined, node.founded_on) if node.founded_on else joined


def record_step(step: str, scale: str, seed: int, **counts) -> None:
    audit.record(actor=None, action="demo.load", object_type="demo", object_id=scale,
                 data={"step": step, "scale": scale, "seed": seed, **counts})


def create_organizations(plan: Plan) -> dict[int, int]:
    """bulk_create the plan's organizations level by level (parents need their ids first)."""
    ids: dict[int, int] = {}
    by_depth: dict[int, list[OrgNode]] = {}
    for node in plan.nodes:
        by_depth.setdefault(node.depth, []).append(node)
    now = timezone.now()
    for depth in sorted(by_depth):
        nodes = by_depth[depth]
        objs = [
            Organization(
                name=n.name, kind=n.kind, area_type=n.area_type, parent_id=ids.get(n.parent) if n.parent is not None else None,
                path=n.path, depth=n.depth, founded_on=n.founded_on, term_started_on=n.term_started_on,
                term_ends_on=n.term_ends_on, is_joint=n.is_joint, unit_count=n.unit_count, created_at=now,
            )
            for n in nodes
        ]
        for start in range(0, len(objs), BATCH):
            Organization.objects.bulk_create(objs[start : start + BATCH])
        for n, o in zip(nodes, objs, strict=True):
            ids[n.key] = o.pk
    return ids


def create_members(plan: Plan, ids: dict[int, int], seed: int, today: dt.date) -> int:
    """bulk_create members (encrypted in pre_save) and their first MemberOrgHistory rows."""
    now = timezone.now()
    total = 0
    for region in plan.regions:
        batch: list[tuple[Member, dt.date]] = []
        for node, fields in iter_region_members(plan, region, seed, today):
            m = Member(org_id=ids[node.key], org_path=node.path, created_at=now, updated_at=now, **fields)
            batch.append((m, history_start(node, fields)))
            if len(batch) >= BATCH:
                total += _flush(batch)
                batch = []
        total += _flush(batch)
    return total


def _flush(batch: list[tuple[Member, dt.date]]) -> int:
    if not batch:
        return 0
    members = Member.objects.bulk_create([m for m, _s in batch])
    MemberOrgHistory.objects.bulk_create(
        [MemberOrgHistory(member_id=m.pk, org_id=m.org_id, started_on=start, reason=HISTORY_REASON) for m, (_m, start) in zip(members, batch, strict=True)]
    )
    return len(members)


def seed_apps(ctx) -> None:
    """Let each domain app add its demo data: ``dangjian.<app>.demo.seed(ctx)`` where ``ctx`` has
    scale, seed, today, orgs (marks: county, town, branch... → Organization), accounts, rng, say.
    Runs inside the load transaction, in INSTALLED_APPS order."""
    from importlib import import_module

    from django.apps import apps

    for cfg in apps.get_app_configs():
        if not cfg.name.startswith("dangjian.") or cfg.label == "demo":
            continue
        try:
            mod = import_module(f"{cfg.name}.demo")
        except ModuleNotFoundError as e:
            if e.name != f"{cfg.name}.demo":
                raise
            continue
        mod.seed(ctx)


def load(scale: str, seed: int, password: str, *, today: dt.date | None = None,
         say: Callable[[str], None] = lambda s: None) -> LoadResult:
    """Load a small scale (tiny, county) into an empty database, in one transaction."""
    if not database_is_empty():
        raise NotEmpty
    today = today or timezone.localdate()
    t0 = time.monotonic()
    timings: dict[str, float] = {}

    def step(name: str, start: float) -> float:
        now = time.monotonic()
        timings[name] = now - start
        say(f"  {name}: {now - start:.1f} s")
        return now

    plan = build_plan(scale, seed, today)
    say(f"Plan: {len(plan.nodes)} organizations, {plan.members} members ({connection.vendor})")
    with transaction.atomic():
        t = time.monotonic()
        ids = create_organizations(plan)
        record_step("organizations", scale, seed, organizations=len(ids))
        t = step("organizations", t)
        n = create_members(plan, ids, seed, today)
        record_step("members", scale, seed, members=n, org_history=n)
        t = step("members + history (encrypted)", t)
        rows = rollups.refresh_all()
        record_step("rollups", scale, seed, rollup_rows=rows)
        t = step("rollups", t)
        orgs = {mark: Organization.objects.get(pk=ids[key]) for mark, key in plan.marks.items()}
        accounts = create_accounts(orgs, password, with_province="province" in plan.marks)
        t = step("accounts", t)
        seed_apps(SimpleNamespace(scale=scale, seed=seed, today=today, orgs=orgs, accounts=accounts,
                                  rng=random.Random(seed), say=say))  # nosec B311 # seeded, reproducible demo data
        step("domain data (org life, affairs)", t)
    timings["total"] = time.monotonic() - t0
    return LoadResult(plan, ids, n, accounts, timings)
