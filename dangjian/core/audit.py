"""The append-only, hash-chained audit log (SECURITY.md "Audit log"; docs/decisions.md 4 and 4b).

Every change to organizations, members and roles, every reveal of sensitive data and every
export calls :func:`record` inside the same transaction as the change: if the audit row cannot
be written, the audited action fails with it.

Writers do not queue on a shared row: :func:`record` inserts the row with its position ``seq``
from the database (a PostgreSQL sequence; ``MAX + 1`` under SQLite's single writer) and no hash.
:func:`seal` — run every minute by the ``core.audit_seal`` job and before every :func:`verify` —
chains committed rows in ``seq`` order in batches, writes a signed :class:`AuditSeal` per batch
and publishes the signed head (:class:`AuditHead`). A position that no committed row holds (a
rolled-back transaction's sequence value) is sealed as a known gap only once no transaction can
still commit it: each writing transaction holds one advisory lock keyed by its first position
until it ends, and the gap must be older than ``DANGJIAN_AUDIT_GAP_SECONDS``. The chain starts at
position 1; a row at a position the sequence never handed out is refused by the sealer and named
by :func:`verify`. Rows are protected from the moment they are sealed (within about a minute):
:func:`verify` reports how many are not yet.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from . import config
from .models import AuditEvent, AuditHead, AuditSeal

GENESIS = "0" * 64
current_ip: contextvars.ContextVar[str] = contextvars.ContextVar("current_ip", default="")
LOCK_NAMESPACE = 0x41554454  # "AUDT": pg_advisory_xact_lock(LOCK_NAMESPACE, position) held by the writer of a position
SEQUENCE = "core_auditevent_seq"  # PostgreSQL (migration core 0005)
GAP_SECONDS_DEFAULT = 30
CHAIN_START = 1  # the first position (the sequence's start; MAX + 1 of an empty table)


def _normalize(data: dict) -> dict:
    return json.loads(json.dumps(data or {}, default=str, ensure_ascii=False))


def canonical(ev: AuditEvent) -> str:
    """The exact bytes that are hashed for one row (stable across SQLite and PostgreSQL)."""
    body = {
        "seq": ev.seq,
        "at": ev.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": ev.actor_id,
        "actor_name": ev.actor_name,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "org_path": ev.org_path,
        "ip": ev.ip,
        "data": ev.data,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, ev: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical(ev)).encode()).hexdigest()


def _seal_key() -> bytes:
    """The signing key of seals: derived from the key file's index key (never stored in the database)."""
    from .crypto import keyring

    return hmac.new(keyring().index_key, b"dangjian audit seal v1", hashlib.sha256).digest()


def seal_mac(s: AuditSeal) -> str:
    body = {
        "first_seq": s.first_seq, "last_seq": s.last_seq, "rows": s.rows, "gaps": list(s.gaps), "prev_hash": s.prev_hash,
        "hash": s.hash, "sealed_at": s.sealed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "prev_mac": s.prev_mac,
    }
    msg = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(_seal_key(), msg, hashlib.sha256).hexdigest()


def _pg() -> bool:
    return connection.vendor == "postgresql"


_INSERT_PG_TEMPLATE = (
    # One statement per row: nextval, then the advisory lock, then the clock — in this order (OFFSET
    # 0 keeps each subquery from being flattened, so nextval runs once, before the lock, before the
    # clock). One lock per transaction, not per row (a merge writing 10,000 rows would exhaust the
    # lock table): keyed by the transaction's first position, kept in a transaction-local setting.
    # Every position the transaction takes is >= that key, which is what the sealer relies on
    # (_gap_settled). The key: the namespace in the high 32 bits, the position's low 32 bits in the
    # low ones (pg_locks.classid/objid; compared modulo 2**32 — four billion rows).
    # {source}: "" (one row), or " FROM u" — the rows of a writable CTE ``u`` (update_recorded,
    # insert_for_rows); {carry}: the CTE's columns passed up to {object_id}, {org_path}, {data}.
    "INSERT INTO core_auditevent (seq, created_at, actor_id, actor_name, action, object_type, object_id, org_path, ip, data, "
    "prev_hash, hash) SELECT v, clock_timestamp(), %s, %s, %s, %s, {object_id}, {org_path}, %s, {data}, '', '' FROM (SELECT v{carry}, "
    "pg_advisory_xact_lock(%s::bigint * 4294967296 + mod(k, 4294967296)), set_config('dangjian.audit_first', k::text, true) "
    "FROM (SELECT v{carry}, COALESCE(NULLIF(current_setting('dangjian.audit_first', true), '')::bigint, v) AS k "
    "FROM (SELECT nextval('core_auditevent_seq') AS v{carry}{source} OFFSET 0) a OFFSET 0) b OFFSET 0) c RETURNING id, seq, created_at"
)
_ROW_SLOTS = {"object_id": "%s", "org_path": "%s", "data": "%s::jsonb", "carry": ""}
_INSERT_PG = _INSERT_PG_TEMPLATE.format(source="", **_ROW_SLOTS)
_INSERT_AFTER_UPDATE_PG = "WITH u AS ({update} RETURNING 1) " + _INSERT_PG_TEMPLATE.format(  # noqa: S608 (constant SQL; the UPDATE is the caller's own, its values parameters)
    source=" FROM (SELECT 1 FROM u LIMIT 1) u", **_ROW_SLOTS)


def _row_params(ev: AuditEvent) -> list:
    return [ev.actor_id, ev.actor_name, ev.action, ev.object_type, ev.object_id, ev.org_path, ev.ip,
            json.dumps(ev.data, ensure_ascii=False), LOCK_NAMESPACE]


def _insert(ev: AuditEvent) -> None:
    """Write ``ev`` with its position and time from the database (one statement on PostgreSQL)."""
    if _pg():
        with connection.cursor() as cur:
            cur.execute(_INSERT_PG, _row_params(ev))
            ev.pk, ev.seq, ev.created_at = cur.fetchone()
        ev._state.adding, ev._state.db = False, connection.alias
        return
    # SQLite: one writer at a time (transactions BEGIN IMMEDIATE), so MAX + 1 cannot be taken twice
    ev.seq, ev.created_at = (AuditEvent.objects.aggregate(m=Max("seq"))["m"] or 0) + 1, timezone.now()
    ev.save(force_insert=True)


def _handed_out() -> int | None:
    """PostgreSQL: the highest position the sequence has handed out (a row above it was not
    written by :func:`record`). None elsewhere."""
    if not _pg():
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM core_auditevent_seq")
        return cur.fetchone()[0]


def _event(*, actor, action, object_type, object_id, org_path, data) -> AuditEvent:
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        org_path=org_path,
        ip=current_ip.get(),
        data=_normalize(data or {}),
    )


def update_recorded(update_sql: str, params: list, *, actor, action: str, object_type: str, object_id, org_path: str,
                    data: dict | None = None) -> int:
    """Run the caller's conditional ``UPDATE`` of one row (by its primary key; no ``RETURNING``)
    and, only if it changed the row, append its audit row; returns the rows changed (0 or 1).

    PostgreSQL: one statement (the UPDATE as a writable CTE, the audit insert reading it), so
    outside a transaction it is its own: no ``BEGIN``/``COMMIT`` round trips, and still no update
    without its audit row (the sign-in storm's write, docs/benchmarks.md). SQLite: the UPDATE then
    :func:`record`, in one transaction."""
    ev = _event(actor=actor, action=action, object_type=object_type, object_id=object_id, org_path=org_path, data=data)
    if _pg():
        with connection.cursor() as cur:
            cur.execute(_INSERT_AFTER_UPDATE_PG.format(update=update_sql), [*params, *_row_params(ev)])
            return cur.rowcount
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(update_sql, params)
            n = cur.rowcount
        if n:
            _insert(ev)
    return n


def insert_for_rows(*, source: str, columns: tuple[str, ...], actor, action: str, object_type: str,
                    object_id_sql: str, org_path_sql: str, data_sql: str, data_params: list) -> tuple[str, list]:
    """PostgreSQL: (SQL, parameters) of the audit ``INSERT`` writing one row per row of the
    writable CTE ``source`` of the caller's statement (its ``columns``; ``object_id_sql``,
    ``org_path_sql`` and ``data_sql`` are expressions over them, ``data_sql`` a ``jsonb`` with
    ``data_params``): an update and its audit rows in one statement, as :func:`update_recorded`,
    for a statement that must also return what it read (the QR sign-in). Same positions, lock
    and clock as :func:`record`."""
    ev = _event(actor=actor, action=action, object_type=object_type, object_id="", org_path="", data={})
    carry = "".join(f", {c}" for c in columns)
    sql = _INSERT_PG_TEMPLATE.format(source=f" FROM {source}", carry=carry, object_id=object_id_sql,
                                     org_path=org_path_sql, data=data_sql)
    return sql, [ev.actor_id, ev.actor_name, ev.action, ev.object_type, ev.ip, *data_params, LOCK_NAMESPACE]


def record(*, actor, action: str, obj=None, object_type: str = "", object_id: str | int = "", org_path: str = "", data: dict | None = None) -> AuditEvent:
    """Append one audit row (unsealed); must run inside the caller's transaction (it opens one if not).

    No shared row is locked: concurrent writers each take a position from the database."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        org_path = org_path or getattr(obj, "org_path", "") or getattr(obj, "path", "")
    # savepoint=False: a failed insert fails the caller's whole transaction (no half-audited action)
    with transaction.atomic(savepoint=False):
        ev = _event(actor=actor, action=action, object_type=object_type, object_id=object_id, org_path=org_path, data=data)
        _insert(ev)
    return ev



# --- the sealer ------------------------------------------------------------------------------------


@dataclass
class SealResult:
    sealed: int = 0  # rows chained by this call
    seals: int = 0  # batches written
    gaps: list[int] = field(default_factory=list)  # positions sealed as known gaps
    head: int = 0  # last sealed seq afterwards
    pending: int = 0  # committed rows left unsealed (behind an unresolved gap)
    waiting_at: int | None = None  # first position the sealer could not settle yet


def _gap_window() -> dt.timedelta:
    return dt.timedelta(seconds=config.value("AUDIT_GAP_SECONDS", GAP_SECONDS_DEFAULT))


def _gap_settled(missing: list[int], later: AuditEvent) -> bool:
    """May ``missing`` positions (followed by the committed row ``later``) be sealed as gaps?

    PostgreSQL: a rolled-back transaction leaves its sequence values unused. A writer holds, until
    its transaction ends, an advisory lock keyed by the first position it took; all its positions
    are >= that key. So while any lock keyed <= the highest missing position is held, the owner of
    a missing position may still commit: wait. Once none is held, every transaction that took one
    of them has ended — committed rows are visible to this new statement, the rest rolled back.
    The next committed row must also be older than the window: it covers the instant between a
    writer's ``nextval`` and its lock (one statement), and gives a slow commit time to land.
    SQLite: writers are serialized and a rollback returns the position, so a gap there is never
    legitimate (it is a deletion): not sealed."""
    if not _pg():
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT clock_timestamp()")
        now = cur.fetchone()[0]
        if later.created_at > now - _gap_window():
            return False
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND classid = %s "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND objid::text::bigint <= %s "
            "AND pid <> pg_backend_pid())",
            [LOCK_NAMESPACE, max(missing) % 4294967296],
        )
        if cur.fetchone()[0]:
            return False  # a writer that may hold one of them is still open
    return not AuditEvent.objects.filter(seq__in=missing).exists()


def _head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def _write_seal(head: AuditHead, last: AuditSeal | None, first_seq: int, last_seq: int, rows: int, gaps: list[int], end_hash: str) -> AuditSeal:
    s = AuditSeal(first_seq=first_seq, last_seq=last_seq, rows=rows, gaps=gaps, prev_hash=head.hash if last else GENESIS,
                  hash=end_hash, sealed_at=timezone.now(), prev_mac=last.mac if last else "")
    s.mac = seal_mac(s)
    s.save()
    AuditHead.objects.filter(pk=1).update(seq=last_seq, hash=end_hash, mac=s.mac, sealed_at=s.sealed_at)
    head.seq, head.hash, head.mac, head.sealed_at = last_seq, end_hash, s.mac, s.sealed_at
    return s


def _adopt_legacy(head: AuditHead) -> AuditSeal | None:
    """Rows chained before the sealer existed (head moved by each append): sign them as one seal."""
    if head.seq <= 0 or head.mac:
        return None
    first = AuditEvent.objects.filter(seq__lte=head.seq).aggregate(m=Min("seq"))["m"] or 1
    rows = AuditEvent.objects.filter(seq__lte=head.seq).count()
    present = set(AuditEvent.objects.filter(seq__lte=head.seq).values_list("seq", flat=True))
    gaps = [p for p in range(first, head.seq + 1) if p not in present] if rows != head.seq - first + 1 else []
    head.hash = head.hash or GENESIS
    return _write_seal(head, None, first, head.seq, rows, gaps, head.hash)


def _update_hashes(chained: list[tuple[int, str, str]]) -> None:
    with connection.cursor() as cur:
        if _pg():
            cur.execute("UPDATE core_auditevent AS e SET prev_hash = v.p, hash = v.h FROM unnest(%s::bigint[], %s::text[], %s::text[]) "
                        "AS v(seq, p, h) WHERE e.seq = v.seq AND e.hash = ''",
                        [[q for q, _p, _h in chained], [p for _q, p, _h in chained], [h for _q, _p, h in chained]])
            n = cur.rowcount
        else:
            cur.executemany("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s AND hash = ''",
                            [(p, h, q) for q, p, h in chained])
            n = len(chained) if cur.rowcount in (-1, None) else cur.rowcount
    if n != len(chained):
        raise RuntimeError(f"audit sealer: {len(chained) - n} rows changed under it")


def seal(batch: int = 2000, max_batches: int | None = None) -> SealResult:
    """Chain and sign every committed, settled row after the head, ``batch`` rows per seal.

    Only sealers lock the head row; writers are never blocked by it. Stops before a position it
    cannot settle yet (see :func:`_gap_settled`) or before a row that already carries a hash
    (not written by :func:`record`: :func:`verify` reports it)."""
    result = SealResult()
    done = 0
    while max_batches is None or done < max_batches:
        with transaction.atomic():
            head = _head()
            last = AuditSeal.objects.order_by("-last_seq").first()
            if last is None:
                last = _adopt_legacy(head)
                result.seals += 1 if last else 0
            if last is None:
                # The chain starts at the first position the database hands out, not at the first
                # visible row: a transaction still open on position 1 must not be left in front of it.
                if not AuditEvent.objects.exists():
                    break
                start, prev = CHAIN_START, GENESIS
            else:
                start, prev = head.seq + 1, head.hash
            rows = list(AuditEvent.objects.filter(seq__gte=start).order_by("seq")[:batch])
            handed_out = _handed_out()
            pos, chained, gaps, stop = start, [], [], False
            for ev in rows:
                if handed_out is not None and ev.seq > handed_out:
                    # a position the database never gave a writer: inserted by hand; verify names it
                    result.waiting_at, stop = ev.seq, True
                    break
                if ev.seq > pos:
                    missing = list(range(pos, ev.seq))
                    if not _gap_settled(missing, ev):
                        result.waiting_at, stop = pos, True
                        break
                    gaps += missing
                if ev.hash:
                    result.waiting_at, stop = ev.seq, True
                    break
                h = chain_hash(prev, ev)
                chained.append((ev.seq, prev, h))
                prev, pos = h, ev.seq + 1
            if not chained:
                break
            _update_hashes(chained)
            _write_seal(head, last, start, chained[-1][0], len(chained), gaps, prev)
            result.sealed += len(chained)
            result.seals += 1
            result.gaps += gaps
            done += 1
            if stop or len(rows) < batch:
                break
    result.head = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    result.pending = AuditEvent.objects.filter(seq__gt=result.head).count()
    return result


# --- the verifier ----------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    ok: bool
    checked: int  # sealed rows verified
    bad_seq: int | None = None
    reason: str = ""
    unsealed: int = 0  # committed rows after the signed head (not yet protected)
    gaps: int = 0  # positions sealed as known gaps (rolled back, or deleted before sealing)
    head: int = 0


class _Broken(Exception):
    def __init__(self, seq: int, reason: str):
        self.seq, self.reason = seq, reason


def verify(batch: int = 5000, seal_first: bool = True) -> VerifyResult:
    """Seal what can be sealed, then recompute the chain against the signed seals.

    Names the first bad position: an edited row (its seq), an edited row with a recomputed hash
    (the next row: its link), a deleted row (its seq), a row inserted among sealed rows (its seq),
    sealed rows rewritten with recomputed hashes (the first seq of the batch whose signature no
    longer matches), rows cut from the end of the sealed chain, a forged or missing seal."""
    if seal_first:
        seal()
    seals = list(AuditSeal.objects.order_by("first_seq"))
    head = AuditHead.objects.filter(pk=1).first()
    state = {"checked": 0, "gaps": 0}
    try:
        _check_seals(seals)
        sealed_end = seals[-1].last_seq if seals else 0
        unsealed = _check_rows(seals, sealed_end, batch, state)
        _check_head(seals, head)
    except _Broken as exc:
        return VerifyResult(False, state["checked"], exc.seq, exc.reason, gaps=state["gaps"], head=head.seq if head else 0)
    return VerifyResult(True, state["checked"], unsealed=unsealed, gaps=state["gaps"], head=sealed_end)


def _check_seals(seals: list[AuditSeal]) -> None:
    prev = None
    for s in seals:
        if not hmac.compare_digest(seal_mac(s), s.mac):
            raise _Broken(s.first_seq, f"seal of seq {s.first_seq}–{s.last_seq} is not signed by this installation (forged or edited)")
        if prev is not None and (s.first_seq != prev.last_seq + 1 or s.prev_mac != prev.mac or s.prev_hash != prev.hash):
            raise _Broken(prev.last_seq + 1, "seal missing (sealed batches do not follow each other)")
        if prev is None and (s.prev_mac or s.prev_hash != GENESIS):
            raise _Broken(s.first_seq, "seals missing at the start of the chain")
        prev = s


def _check_head(seals: list[AuditSeal], head: AuditHead | None) -> None:
    """The published head is the last seal: a head ahead of the seals means seals (and rows) were cut."""
    prev = seals[-1] if seals else None
    if prev is None:
        if head is not None and head.mac:
            raise _Broken(1, "every seal is missing (the head is signed)")
        return
    if head is None or head.seq != prev.last_seq or head.hash != prev.hash or head.mac != prev.mac:
        raise _Broken(prev.last_seq + 1, "rows missing at the end of the chain (the signed head and the last seal disagree)")


def _check_rows(seals: list[AuditSeal], sealed_end: int, batch: int, state: dict) -> int:
    """Walk every row in seq order; return the number of unsealed rows."""
    idx = 0  # the seal covering ``pos``
    prev = GENESIS
    pos = seals[0].first_seq if seals else None
    unsealed = 0

    def close_seals(upto: int) -> None:
        nonlocal idx
        while idx < len(seals) and seals[idx].last_seq <= upto:
            if prev != seals[idx].hash:
                s = seals[idx]
                raise _Broken(s.first_seq, f"rows of seq {s.first_seq}–{s.last_seq} rewritten (their signed seal no longer matches)")
            idx += 1

    def known_gap(p: int) -> bool:
        return idx < len(seals) and seals[idx].first_seq <= p <= seals[idx].last_seq and p in seals[idx].gaps

    last_seen = None
    handed_out = _handed_out()  # re-read after a batch that shows a higher row (written meanwhile)
    qs = AuditEvent.objects.order_by("seq")
    after = None
    while True:
        rows = list((qs.filter(seq__gt=after) if after is not None else qs)[:batch])
        if not rows:
            break
        for ev in rows:
            after = ev.seq
            if pos is None:
                pos = ev.seq
            if ev.seq < pos:  # before the first seal's start: rows inserted in front of the chain
                raise _Broken(ev.seq, "row inserted before the start of the sealed chain")
            if ev.seq > sealed_end:  # unsealed tail
                while pos <= sealed_end:
                    if not known_gap(pos):
                        raise _Broken(pos, "row missing (deleted)")
                    state["gaps"] += 1
                    pos += 1
                    close_seals(pos - 1)
                if ev.hash:
                    raise _Broken(ev.seq, "row after the signed head carries a hash (not written by the application)")
                if handed_out is not None and ev.seq > handed_out and ev.seq > (handed_out := _handed_out()):
                    raise _Broken(ev.seq, "row inserted at a position the database never handed out")
                if connection.vendor != "postgresql" and last_seen is not None and ev.seq != last_seen + 1:
                    raise _Broken(last_seen + 1, "row missing (deleted before sealing)")
                unsealed += 1
                last_seen = ev.seq
                continue
            while pos < ev.seq:
                if not known_gap(pos):
                    raise _Broken(pos, "row missing (deleted)")
                state["gaps"] += 1
                pos += 1
                close_seals(pos - 1)
            if known_gap(ev.seq):
                raise _Broken(ev.seq, "row inserted at a position sealed as empty")
            if not ev.hash:
                raise _Broken(ev.seq, "row inserted among sealed rows")
            if ev.prev_hash != prev:
                raise _Broken(ev.seq, "link to previous row broken")
            if chain_hash(prev, ev) != ev.hash:
                raise _Broken(ev.seq, "row content changed")
            prev = ev.hash
            state["checked"] += 1
            pos = ev.seq + 1
            last_seen = ev.seq
            close_seals(ev.seq)
    if pos is not None:
        while pos <= sealed_end:
            if not known_gap(pos):
                raise _Broken(pos, "rows missing at the end of the chain")
            state["gaps"] += 1
            pos += 1
            close_seals(pos - 1)
    return unsealed
