"""The append-only, hash-chained audit log (SECURITY.md "Audit log", test family "audit chain").

Every audited service emits a row with the right action; ``audit.verify()`` accepts an intact
chain and names the position of a sealed row that was edited or deleted; the application and the
database both refuse UPDATE and DELETE; ``manage.py audit_verify`` exits 1 naming the bad seq.
Rows are chained by the sealer (docs/decisions.md 4b): tampering tests seal first, as the
every-minute job does. The sealer's own tests are in tests/core/test_audit_sealer.py.
"""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from dangjian.core import audit
from dangjian.core import services as org_services
from dangjian.core.models import AuditEvent, AuditHead, Organization
from dangjian.members import services as member_services
from tests.factories import member_data

# --- helpers --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _audit_positions_follow_the_last_row(_builtin_meeting_types):
    """PostgreSQL: a sequence does not roll back, so each earlier (rolled-back) test leaves its
    positions as a gap the sealer waits out. Restart the sequence after the rows that exist."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"SELECT setval('{audit.SEQUENCE}', COALESCE((SELECT MAX(seq) FROM core_auditevent), 0) + 1, false)")


def _pg_disable_trigger(cur) -> None:
    # The test runs inside one transaction whose deferred FK checks on this table are still
    # pending; PostgreSQL refuses ALTER TABLE until they have run.
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update")
    cur.execute("SET CONSTRAINTS ALL DEFERRED")


def _disable_update_trigger() -> None:
    """What an attacker with database access does first (see migration core 0002)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            _pg_disable_trigger(cur)
        else:
            cur.execute("DROP TRIGGER core_auditevent_no_update")


def _disable_delete_trigger() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # one trigger refuses UPDATE OR DELETE there
            _pg_disable_trigger(cur)
        else:
            cur.execute("DROP TRIGGER core_auditevent_no_delete")


def _raw(sql: str, params=None) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _nth(k: int) -> int:
    """The seq of the k-th row (1-based): positions come from a database sequence, not from 1."""
    return AuditEvent.objects.order_by("seq").values_list("seq", flat=True)[k - 1]


def _sealed() -> None:
    """What the every-minute ``core.audit_seal`` job has done before an attacker comes."""
    audit.seal()
    assert not AuditEvent.objects.filter(hash="").exists()


# --- every audited service emits a row ------------------------------------------------------


def _org_create(w, actor):
    org_services.create_organization(actor=actor, parent=w.t2, name="新村党支部", kind="branch")


def _org_update(w, actor):
    org_services.update_organization(actor=actor, org=w.b3, name="南村党支部（新）")


def _org_move(w, actor):
    org_services.move_organization(actor=actor, org=w.b2, new_parent=w.t2)


def _org_merge(w, actor):
    org_services.merge_organizations(actor=actor, source=w.b2, target=w.b3, reason="村庄合并")


def _org_dissolve(w, actor):
    empty = org_services.create_organization(actor=actor, parent=w.t2, name="空支部", kind="branch")
    org_services.dissolve_organization(actor=actor, org=empty, reason="县委组织部决定")


def _role_grant(w, actor):
    org_services.grant_role(actor=actor, user=w.users["outsider"], org=w.b3, role="secretary")


def _role_revoke(w, actor):
    ra = w.users["secretary2"].role_assignments.get(active=True)
    org_services.revoke_role(actor=actor, assignment=ra)


def _member_create(w, actor):
    member_services.create_member(actor=actor, org=w.b3, data=member_data(name="新党员"))


def _member_update(w, actor):
    member_services.update_member(actor=actor, member=w.m_member, data={"work_unit": "东村合作社", "phone": "13800138000"})


def _member_move(w, actor):
    member_services.move_member(actor=actor, member=w.m_member, to_org=w.b2, reason="迁居")


def _member_reveal(w, actor):
    member_services.reveal_field(actor=actor, member=w.m_member, field="id_number", purpose="political_review")


AUDITED = [
    ("org.create", _org_create),
    ("org.update", _org_update),
    ("org.move", _org_move),
    ("org.merge", _org_merge),
    ("org.dissolve", _org_dissolve),
    ("role.grant", _role_grant),
    ("role.revoke", _role_revoke),
    ("member.create", _member_create),
    ("member.update", _member_update),
    ("member.move", _member_move),
    ("member.reveal", _member_reveal),
]


@pytest.mark.parametrize(("action", "call"), AUDITED, ids=[a for a, _c in AUDITED])
def test_each_audited_service_emits_a_row(world, action, call):
    actor = world.users["county_admin"]
    before = _last_seq()
    call(world, actor)
    new = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert new, f"{action}: no audit row written"
    assert new[-1].action == action, [e.action for e in new]
    for ev in new:
        assert ev.actor_id == actor.pk and ev.actor_name == "county_admin"
        assert ev.object_type and ev.object_id
        assert ev.org_path, f"{ev.action} row has no org_path (audit admins read the log by subtree)"
    assert audit.verify().ok


def test_merge_also_audits_each_member_moved(world):
    before = _last_seq()
    _org_merge(world, world.users["county_admin"])
    actions = list(AuditEvent.objects.filter(seq__gt=before).values_list("action", flat=True))
    assert actions.count("member.move") == 3
    assert actions[-1] == "org.merge"


def test_sensitive_values_are_masked_in_audit_rows(world):
    before = _last_seq()
    _member_update(world, world.users["county_admin"])
    ev = AuditEvent.objects.get(seq__gt=before, action="member.update")
    old, new = ev.data["changes"]["phone"]
    assert "*" in old and "*" in new and new != "13800138000"


def test_audited_action_fails_when_the_audit_row_cannot_be_written(world, monkeypatch):
    orgs = Organization.objects.count()

    def broken_insert(ev):
        raise DatabaseError("disk full")

    rows = AuditEvent.objects.count()
    monkeypatch.setattr(audit, "_insert", broken_insert)
    with pytest.raises(DatabaseError):
        _org_create(world, world.users["county_admin"])
    assert Organization.objects.count() == orgs
    assert AuditEvent.objects.count() == rows


# --- verification -----------------------------------------------------------------------------


def test_verify_accepts_an_intact_chain(world):
    n = AuditEvent.objects.count()
    assert n > 20
    result = audit.verify()
    assert result.ok and result.checked == n and result.bad_seq is None
    assert audit.verify(batch=3).ok  # several batches
    head = AuditHead.objects.get(pk=1)
    assert head.seq == _last_seq() and head.hash == AuditEvent.objects.get(seq=_last_seq()).hash and head.mac


def test_raw_sql_edit_is_detected_at_its_seq(world):
    _sealed()
    k = AuditEvent.objects.count() // 2
    target = _nth(k)
    _disable_update_trigger()
    _raw("UPDATE core_auditevent SET actor_name = %s WHERE seq = %s", ["mallory", target])
    result = audit.verify()
    assert not result.ok
    assert result.bad_seq == target
    assert result.checked == k - 1
    assert "changed" in result.reason
    assert audit.verify(batch=4).bad_seq == target


def test_raw_sql_edit_of_the_data_is_detected(world):
    _sealed()
    ev = AuditEvent.objects.filter(action="member.create").order_by("seq")[2]
    _disable_update_trigger()
    _raw("UPDATE core_auditevent SET object_id = %s WHERE seq = %s", ["999999", ev.seq])
    assert audit.verify().bad_seq == ev.seq


def test_edit_with_recomputed_hash_is_detected_at_the_next_link(world):
    _sealed()
    target = _nth(5)
    ev = AuditEvent.objects.get(seq=target)
    ev.action = "org.forged"
    forged_hash = audit.chain_hash(ev.prev_hash, ev)
    _disable_update_trigger()
    _raw("UPDATE core_auditevent SET action = %s, hash = %s WHERE seq = %s", ["org.forged", forged_hash, target])
    result = audit.verify()
    assert not result.ok and result.bad_seq == _nth(6) and "link" in result.reason


def test_deleted_row_is_detected(world):
    _sealed()
    target = _nth(7)
    _disable_delete_trigger()
    _raw("DELETE FROM core_auditevent WHERE seq = %s", [target])
    result = audit.verify()
    assert not result.ok and result.bad_seq == target and "missing" in result.reason


def test_deleted_last_row_is_detected(world):
    _sealed()
    last = _last_seq()
    _disable_delete_trigger()
    _raw("DELETE FROM core_auditevent WHERE seq = %s", [last])
    result = audit.verify()
    assert not result.ok and result.bad_seq == last


# --- append-only ------------------------------------------------------------------------------


def test_orm_update_and_delete_raise(world):
    _sealed()
    first = _nth(1)
    ev = AuditEvent.objects.get(seq=first)
    ev.action = "changed"
    with pytest.raises(RuntimeError):
        ev.save()
    with pytest.raises(RuntimeError):
        ev.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=first).update(action="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=first).delete()
    assert AuditEvent.objects.get(seq=first).action == "org.create"
    assert audit.verify().ok


def test_raw_update_and_delete_fail_with_the_trigger_in_place(world):
    second = _nth(2)
    with pytest.raises(DatabaseError), transaction.atomic():  # unsealed: only the sealer's hash fill passes
        _raw("UPDATE core_auditevent SET actor_name = %s WHERE seq = %s", ["mallory", second])
    _sealed()
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw("UPDATE core_auditevent SET actor_name = %s WHERE seq = %s", ["mallory", second])
    with pytest.raises(DatabaseError), transaction.atomic():  # a sealed hash cannot be replaced either
        _raw("UPDATE core_auditevent SET hash = %s WHERE seq = %s", ["f" * 64, second])
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw("DELETE FROM core_auditevent WHERE seq = %s", [second])
    assert audit.verify().ok


def test_truncate_is_refused_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE trigger exists on PostgreSQL only (SQLite has no TRUNCATE)")
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw("TRUNCATE core_auditevent")
    assert audit.verify().ok


# --- the management command -------------------------------------------------------------------


def test_audit_verify_command_ok(world):
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().strip() == f"audit chain OK: {AuditEvent.objects.count()} rows"


def test_audit_verify_command_reports_the_bad_seq(world):
    _sealed()
    ninth = _nth(9)
    _disable_update_trigger()
    _raw("UPDATE core_auditevent SET ip = %s WHERE seq = %s", ["10.0.0.66", ninth])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("audit_verify", stdout=out, stderr=err)
    assert exc.value.code == 1
    assert f"audit chain BROKEN at seq {ninth}:" in err.getvalue()

