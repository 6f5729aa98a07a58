"""The audit sealer (docs/decisions.md 4b, SECURITY.md "Audit log", test family "audit chain").

Writers insert audit rows without locking a shared row; ``audit.seal()`` chains committed rows in
``seq`` order and signs each batch. These tests check what that must keep: tampering among sealed
rows is found at its position (also when the attacker recomputes every hash), an action fails when
its audit row cannot be written, concurrent writers are all recorded and do not wait for each other,
a position still held by an open transaction is never sealed past, and a rolled-back position is
sealed as a gap only after the commit window.
"""
from __future__ import annotations

import threading
import time

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.test import override_settings

from dangjian.core import audit
from dangjian.core import services as org_services
from dangjian.core.models import AuditEvent, AuditHead, AuditSeal, Organization

from .test_audit import _audit_positions_follow_the_last_row, _disable_update_trigger, _nth, _raw  # noqa: F401 (autouse)

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes writers (BEGIN IMMEDIATE); the race needs PostgreSQL")


def _disable_seal_trigger() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE core_auditseal DISABLE TRIGGER core_auditseal_no_update")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cur.execute("DROP TRIGGER core_auditseal_no_update")


# --- tampering among sealed rows --------------------------------------------------------------


def test_rows_are_written_unsealed_and_the_sealer_signs_them_in_batches(world):
    n = AuditEvent.objects.count()
    assert AuditEvent.objects.filter(hash="").count() == n  # writers no longer chain (nor lock the head)
    result = audit.seal(batch=7)
    assert result.sealed == n and result.seals == -(-n // 7) and result.pending == 0
    seals = list(AuditSeal.objects.order_by("first_seq"))
    assert seals[0].first_seq == _nth(1) and seals[-1].last_seq == _nth(n)
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash, head.mac) == (seals[-1].last_seq, seals[-1].hash, seals[-1].mac)
    assert audit.seal().sealed == 0  # nothing new
    assert audit.verify(seal_first=False).checked == n


def test_a_chain_rewritten_with_recomputed_hashes_is_detected_at_its_batch(world):
    """Without the signing key, an attacker who edits a row and recomputes every later hash and the
    head still cannot produce the signed seal: the batch holding the edit is named."""
    audit.seal(batch=5)
    second = AuditSeal.objects.order_by("first_seq")[1]
    target = second.first_seq + 2
    _disable_update_trigger()
    _raw("UPDATE core_auditevent SET actor_name = %s WHERE seq = %s", ["mallory", target])
    prev = AuditEvent.objects.get(seq=target - 1).hash
    for ev in AuditEvent.objects.filter(seq__gte=target).order_by("seq"):
        h = audit.chain_hash(prev, ev)
        _raw("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, h, ev.seq])
        prev = h
    AuditHead.objects.filter(pk=1).update(hash=prev)
    result = audit.verify()
    assert not result.ok
    assert result.bad_seq == second.first_seq and "rewritten" in result.reason


def test_a_forged_seal_hiding_a_deletion_is_detected(world):
    audit.seal(batch=6)
    s = AuditSeal.objects.order_by("first_seq")[1]
    target = s.first_seq + 1
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cur.execute("DROP TRIGGER core_auditevent_no_delete")
    _raw("DELETE FROM core_auditevent WHERE seq = %s", [target])
    assert audit.verify().bad_seq == target  # plain deletion: named
    _disable_seal_trigger()
    _raw("UPDATE core_auditseal SET gaps = %s WHERE id = %s", [f"[{target}]", s.pk])  # pretend it never existed
    result = audit.verify()
    assert not result.ok and result.bad_seq == s.first_seq and "signed" in result.reason


def test_a_row_deleted_before_sealing(world):
    """SQLite hands out MAX + 1 under its single writer: a hole is a deletion, named at once. PostgreSQL
    cannot tell it from a rolled-back transaction: the rows behind it stay unsealed (reported) until
    the commit window has passed, then the position is sealed as a known gap (counted by verify)."""
    target = _nth(4)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cur.execute("DROP TRIGGER core_auditevent_no_delete")
    _raw("DELETE FROM core_auditevent WHERE seq = %s", [target])
    result = audit.verify()
    if connection.vendor != "postgresql":
        assert not result.ok and result.bad_seq == target and "missing" in result.reason
        return
    assert result.ok and result.head == target - 1 and result.unsealed == AuditEvent.objects.filter(seq__gt=target).count()


# --- an action fails when its audit row cannot be written -------------------------------------


def test_an_action_fails_when_the_database_refuses_its_audit_row(world, audit_refused):
    rows, name = AuditEvent.objects.count(), world.b3.name
    with pytest.raises(DatabaseError), transaction.atomic():
        org_services.update_organization(actor=world.users["county_admin"], org=world.b3, name="南村党支部（新）")
    assert Organization.objects.get(pk=world.b3.pk).name == name
    assert AuditEvent.objects.count() == rows


# --- concurrency (PostgreSQL: SQLite has one writer at a time) --------------------------------


@pg_only
def test_a_writer_does_not_wait_for_another_open_audited_transaction(transactional_db):
    """The old design locked one head row until commit: B waited for A. Now B commits while A is open."""
    holding, release, seqs, errors = threading.Event(), threading.Event(), {}, []
    audit.seal()  # whatever rows the database already holds
    before = AuditEvent.objects.count()

    def writer_a():
        try:
            with transaction.atomic():
                seqs["a"] = audit.record(actor=None, action="test.a").seq
                holding.set()
                release.wait(20)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=writer_a)
    t.start()
    try:
        assert holding.wait(20)
        started = time.monotonic()
        with transaction.atomic():
            seqs["b"] = audit.record(actor=None, action="test.b").seq
        waited = time.monotonic() - started
        assert waited < 2, f"writer B waited {waited:.1f} s for A"
        assert seqs["b"] > seqs["a"]
        # A's position is still held: the sealer must not seal past it
        r = audit.seal()
        assert r.waiting_at == seqs["a"] and r.sealed == 0 and r.head == seqs["a"] - 1
        assert AuditEvent.objects.get(seq=seqs["b"]).hash == ""
    finally:
        release.set()
        t.join(30)
    assert not errors
    r = audit.seal()
    assert r.sealed == 2 and r.gaps == [] and r.pending == 0
    result = audit.verify()
    assert result.ok and result.checked == before + 2


@pg_only
def test_concurrent_writers_are_all_recorded_and_sealed(transactional_db):
    threads_n, each = 8, 25
    barrier, errors = threading.Barrier(threads_n), []
    audit.seal()  # whatever rows the database already holds
    before = AuditEvent.objects.count()

    def writer(i):
        try:
            barrier.wait(20)
            for k in range(each):
                with transaction.atomic():
                    audit.record(actor=None, action="test.concurrent", object_id=f"{i}-{k}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    ids = list(AuditEvent.objects.filter(action="test.concurrent").values_list("object_id", flat=True))
    assert sorted(ids) == sorted(f"{i}-{k}" for i in range(threads_n) for k in range(each))
    assert audit.seal().sealed == threads_n * each
    result = audit.verify()
    assert result.ok and result.checked == before + threads_n * each and result.unsealed == 0


@pg_only
def test_an_open_transaction_with_several_rows_holds_the_sealer_at_its_first(transactional_db):
    """A writes a row, B writes and commits, A writes again and stays open: nothing from A's first
    position on is sealed — B's committed row waits — until A commits; then all three are sealed."""
    audit.seal()
    steps, go, errors = {}, {k: threading.Event() for k in ("b_done", "a_second", "release")}, []

    def writer_a():
        try:
            with transaction.atomic():
                steps["a1"] = audit.record(actor=None, action="test.a1").seq
                steps["a_started"] = True
                go["b_done"].wait(20)
                steps["a2"] = audit.record(actor=None, action="test.a2").seq
                go["a_second"].set()
                go["release"].wait(20)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=writer_a)
    t.start()
    try:
        for _ in range(200):
            if "a_started" in steps:
                break
            time.sleep(0.05)
        with transaction.atomic():
            b = audit.record(actor=None, action="test.b").seq
        go["b_done"].set()
        assert go["a_second"].wait(20)
        with override_settings(DANGJIAN_AUDIT_GAP_SECONDS=0):  # only the open transaction holds it back
            r = audit.seal()
        assert r.waiting_at == steps["a1"] and r.head == steps["a1"] - 1 and r.gaps == []
        assert steps["a1"] < b < steps["a2"]
    finally:
        go["release"].set()
        t.join(30)
    assert not errors
    with override_settings(DANGJIAN_AUDIT_GAP_SECONDS=0):
        r = audit.seal()
    assert r.sealed == 3 and r.gaps == [] and r.pending == 0 and r.head == steps["a2"]


@pg_only
def test_the_first_seal_does_not_start_after_an_open_first_position(transactional_db):
    """On an empty log, A takes position 1 and stays open while B commits position 2. The first
    seal used to start at the first visible row (2): A's row, committed later, then sat in front
    of the sealed chain and verify called it an insertion. The chain starts at position 1."""
    from tests.conftest import set_audit_triggers

    set_audit_triggers(False)  # start from an empty log (committed rows of the session's world)
    _raw("DELETE FROM core_auditevent")
    _raw("DELETE FROM core_auditseal")
    _raw("UPDATE core_audithead SET seq = 0, hash = %s, mac = ''", [audit.GENESIS])
    set_audit_triggers(True)
    assert not AuditEvent.objects.exists() and not AuditSeal.objects.exists()
    with connection.cursor() as cur:
        cur.execute(f"SELECT setval('{audit.SEQUENCE}', 1, false)")
    holding, release, seqs, errors = threading.Event(), threading.Event(), {}, []

    def writer_a():
        try:
            with transaction.atomic():
                seqs["a"] = audit.record(actor=None, action="test.a").seq
                holding.set()
                release.wait(20)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=writer_a)
    t.start()
    try:
        assert holding.wait(20)
        with transaction.atomic():
            audit.record(actor=None, action="test.b")
        with override_settings(DANGJIAN_AUDIT_GAP_SECONDS=0):
            r = audit.seal()
        assert seqs["a"] == 1 and r.sealed == 0 and r.waiting_at == 1
    finally:
        release.set()
        t.join(30)
    assert not errors
    r = audit.seal()
    assert r.sealed == 2 and r.head == 2
    v = audit.verify()
    assert v.ok and v.checked == 2


@pg_only
def test_one_transaction_may_write_more_audit_rows_than_the_lock_table_holds(db):
    """A merge or an import audits every member it touches in one transaction. Writers used to take
    one advisory lock per row: past about 13,000 rows PostgreSQL ran out of lock slots ("out of
    shared memory") and the whole action failed. One lock per transaction now."""
    n = 16000
    with transaction.atomic():
        first = audit.record(actor=None, action="test.bulk", object_id="0").seq
        for k in range(1, n):
            audit.record(actor=None, action="test.bulk", object_id=str(k))
    assert AuditEvent.objects.filter(action="test.bulk", seq__gte=first).count() == n
    r = audit.seal(batch=5000)
    assert r.pending == 0 and r.waiting_at is None


@pg_only
def test_a_row_inserted_at_a_position_never_handed_out_is_named(world):
    """Raw SQL that appends a row with a made-up position (beyond the sequence) is not sealed, even
    once its 'gap' is old, and verify names it."""
    audit.seal()
    with connection.cursor() as cur:
        cur.execute(f"SELECT last_value FROM {audit.SEQUENCE}")
        forged = cur.fetchone()[0] + 5
    _raw("INSERT INTO core_auditevent (seq, created_at, actor_name, action, object_type, object_id, org_path, ip, data, prev_hash, hash) "
         "VALUES (%s, now() - interval '1 hour', 'mallory', 'org.forged', '', '', '', '', '{}', '', '')", [forged])
    with override_settings(DANGJIAN_AUDIT_GAP_SECONDS=0):
        r = audit.seal()
        assert r.sealed == 0 and r.gaps == [] and r.waiting_at == forged
        v = audit.verify()
    assert not v.ok and v.bad_seq == forged and "never handed out" in v.reason


@pg_only
def test_a_rolled_back_position_is_sealed_as_a_gap_only_after_the_window(transactional_db):
    audit.record(actor=None, action="test.first")
    with pytest.raises(RuntimeError), transaction.atomic():
        gone = audit.record(actor=None, action="test.rolled_back").seq
        raise RuntimeError("the action failed after writing its audit row")
    audit.record(actor=None, action="test.after")
    with override_settings(DANGJIAN_AUDIT_GAP_SECONDS=3600):
        r = audit.seal()
        assert r.waiting_at == gone and r.head == gone - 1 and r.pending == 1
        v = audit.verify()
        assert v.ok and v.unsealed == 1 and v.gaps == 0
    with override_settings(DANGJIAN_AUDIT_GAP_SECONDS=0):
        r = audit.seal()
        assert r.gaps == [gone] and r.pending == 0
        v = audit.verify()
        assert v.ok and v.gaps == 1 and v.checked == 2
        # a row slipped into the position sealed as empty is named
        _raw("INSERT INTO core_auditevent (seq, created_at, actor_name, action, object_type, object_id, org_path, ip, data, prev_hash, hash) "
             "VALUES (%s, now(), 'mallory', 'org.forged', '', '', '', '', '{}', '', '')", [gone])
        v = audit.verify()
        assert not v.ok and v.bad_seq == gone and "inserted" in v.reason


# --- the chain written before the sealer existed ----------------------------------------------


def test_rows_chained_by_the_old_writer_are_adopted_by_the_first_seal(world):
    """A database migrated from the locked-head design: rows already carry their hashes and the head
    (unsigned) points at the last one. The first seal signs them as they are; later rows continue."""
    prev = audit.GENESIS
    for ev in AuditEvent.objects.order_by("seq"):
        h = audit.chain_hash(prev, ev)
        _raw("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, h, ev.seq])  # the old writer's work
        prev = h
    last = AuditEvent.objects.order_by("-seq").first().seq
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": last, "hash": prev, "mac": ""})
    org_services.create_organization(actor=world.users["county_admin"], parent=world.t2, name="新村党支部", kind="branch")
    r = audit.seal()
    assert r.seals == 2 and r.pending == 0
    first = AuditSeal.objects.order_by("first_seq").first()
    assert first.last_seq == last and first.hash == prev
    assert audit.verify().ok
    _disable_update_trigger()
    _raw("UPDATE core_auditevent SET actor_name = %s WHERE seq = %s", ["mallory", _nth(3)])
    assert audit.verify().bad_seq == _nth(3)
