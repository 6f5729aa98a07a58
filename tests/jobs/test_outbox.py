"""The outbox (SECURITY.md "Outbox"): rows written in the business transaction, delivered on
commit, claimed under a lease, retried with backoff and jitter, dead after N attempts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.jobs import services, tasks
from dangjian.jobs.api import PERIODIC, outbox_put, periodic
from dangjian.jobs.models import OutboxMessage

S = OutboxMessage.Status
FAST = {"lease_seconds": 30, "batch": 5, "max_attempts": 3, "backoff_base": 10.0, "backoff_max": 60.0}


@pytest.fixture
def fast(settings):
    settings.DANGJIAN_OUTBOX = FAST
    return FAST


def make_due(**filters):
    OutboxMessage.objects.filter(**filters).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_put_writes_a_row_and_one_kick_per_transaction(db, channel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            rows = [outbox_put(channel="test", to=f"member:{i}", payload={"text": "开会"}) for i in range(3)]
    assert len(callbacks) == 1  # one delivery kick for the whole transaction
    assert sorted(channel.delivered) == sorted(r.pk for r in rows)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {S.SENT}


def test_a_rolled_back_transaction_leaves_no_row_and_no_kick(db, channel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError, match="business failed"):
            with transaction.atomic():
                outbox_put(channel="test", to="member:1", payload={"text": "x"})
                raise RuntimeError("business failed")
        with transaction.atomic():  # a later transaction still gets its kick
            kept = outbox_put(channel="test", to="member:2", payload={"text": "y"})
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [kept.pk]
    assert len(callbacks) == 1 and channel.delivered == [kept.pk]


def test_outside_a_transaction_is_refused_and_commit_delivers(transactional_db, channel):
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        outbox_put(channel="test", to="member:1", payload={})
    with transaction.atomic():
        msg = outbox_put(channel="test", to="member:1", payload={"text": "z"})
        assert channel.delivered == []  # nothing leaves before the commit
    assert channel.delivered == [msg.pk]  # MemoryHuey runs the kicked task inline in tests
    msg.refresh_from_db()
    assert msg.status == S.SENT and msg.sent_at is not None and msg.attempts == 1


def test_dedup_key_is_unique(db, channel):
    with transaction.atomic():
        a = outbox_put(channel="test", to="member:1", payload={"n": 1}, dedup_key="meeting-7:member-1")
        b = outbox_put(channel="test", to="member:1", payload={"n": 2}, dedup_key="meeting-7:member-1")
        c = outbox_put(channel="test", to="member:1", payload={"n": 3})
        d = outbox_put(channel="test", to="member:1", payload={"n": 4})  # no key: no dedup
    assert a.pk == b.pk and c.pk != d.pk
    assert OutboxMessage.objects.count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.create(channel="test", to="member:1", dedup_key="meeting-7:member-1")


def test_backoff_grows_with_jitter_and_a_cap(settings):
    settings.DANGJIAN_OUTBOX = FAST
    for attempts, full in ((1, 10), (2, 20), (3, 40), (4, 60), (9, 60)):
        values = [services.backoff_seconds(attempts) for _ in range(200)]
        assert all(full * 0.5 <= v <= full for v in values), attempts
        assert max(values) - min(values) > full * 0.2  # jittered, not one fixed delay


def test_retry_with_backoff_then_dead(db, channel, fast):
    channel.fail = 99
    with transaction.atomic():
        msg = OutboxMessage.objects.create(channel="test", to="member:1", payload={})
    t0 = timezone.now()
    assert services.deliver_due(worker="w1") == {S.FAILED: 1}
    msg.refresh_from_db()
    assert msg.status == S.FAILED and msg.attempts == 1 and "ConnectionError" in msg.last_error
    assert t0 + timedelta(seconds=4.9) <= msg.next_attempt_at <= timezone.now() + timedelta(seconds=10.1)
    assert services.deliver_due(worker="w1") == {}  # not due yet: backing off
    make_due(pk=msg.pk)
    assert services.deliver_due(worker="w1") == {S.FAILED: 1}
    msg.refresh_from_db()
    assert msg.attempts == 2 and msg.next_attempt_at >= timezone.now() + timedelta(seconds=9)
    make_due(pk=msg.pk)
    assert services.deliver_due(worker="w1") == {S.DEAD: 1}
    msg.refresh_from_db()
    assert msg.status == S.DEAD and msg.attempts == 3 and msg.claimed_until is None
    make_due(pk=msg.pk)
    assert services.deliver_due(worker="w1") == {}  # dead rows are never claimed again
    assert channel.delivered == []


def test_a_failure_then_success(db, channel, fast):
    channel.fail = 1
    with transaction.atomic():
        msg = OutboxMessage.objects.create(channel="test", to="member:1", payload={})
    services.deliver_due(worker="w1")
    make_due(pk=msg.pk)
    assert services.deliver_due(worker="w1") == {S.SENT: 1}
    msg.refresh_from_db()
    assert msg.status == S.SENT and msg.attempts == 2 and msg.last_error == "" and channel.delivered == [msg.pk]


def test_unknown_channel_is_a_failure_not_a_crash(db, fast):
    with transaction.atomic():
        msg = OutboxMessage.objects.create(channel="pigeon", to="member:1", payload={})
    assert services.deliver_due(worker="w1") == {S.FAILED: 1}
    msg.refresh_from_db()
    assert "no deliverer registered for channel 'pigeon'" in msg.last_error


def test_claims_are_disjoint_and_an_expired_lease_is_reclaimed(db, channel, fast):
    OutboxMessage.objects.bulk_create([OutboxMessage(channel="test", to=f"member:{i}") for i in range(8)])
    a = services.claim(worker="A")
    b = services.claim(worker="B")
    c = services.claim(worker="C")
    assert len(a) == 5 and len(b) == 3 and c == []
    assert not {m.pk for m in a} & {m.pk for m in b}
    # worker A dies: its lease runs out and B claims its rows again (attempts counts both)
    OutboxMessage.objects.filter(pk__in=[m.pk for m in a]).update(claimed_until=timezone.now() - timedelta(seconds=1))
    again = services.claim(worker="B")
    assert sorted(m.pk for m in again) == sorted(m.pk for m in a)
    assert {m.attempts for m in again} == {2}
    # A's stale failure report must not clobber B's claim (fenced by the claim token)
    channel.fail = 1
    stale = a[0]
    stale.claimed_until = timezone.now() + timedelta(seconds=30)  # A still believes it holds the lease
    services.deliver_one(stale)
    row = OutboxMessage.objects.get(pk=stale.pk)
    assert row.status == S.SENDING and row.claimed_by == again[0].claimed_by
    for m in again + b:
        assert services.deliver_one(m) == S.SENT
    assert sorted(channel.delivered) == sorted(OutboxMessage.objects.values_list("pk", flat=True))


def test_a_claim_whose_lease_ran_out_is_not_delivered(db, channel, fast):
    OutboxMessage.objects.create(channel="test", to="member:1")
    (msg,) = services.claim(worker="A")
    msg.claimed_until = timezone.now()  # the lease is over before A gets to it
    assert services.deliver_one(msg) == ""
    assert channel.delivered == []


def test_periodic_registry_and_the_sweep(db, channel):
    assert {"jobs.outbox_sweep", "jobs.reap_stale_jobs"} <= set(PERIODIC)
    with pytest.raises(ValueError, match="registered twice"):
        periodic("jobs.outbox_sweep")(lambda: None)
    OutboxMessage.objects.create(channel="test", to="member:1")  # as if the on-commit kick was lost
    assert tasks.outbox_sweep.call_local() == {S.SENT: 1}
    assert len(channel.delivered) == 1


def test_next_due_at(db, fast):
    assert services.next_due_at() is None
    soon = timezone.now() + timedelta(seconds=5)
    OutboxMessage.objects.create(channel="test", to="m", status=S.FAILED, next_attempt_at=soon + timedelta(seconds=5))
    OutboxMessage.objects.create(channel="test", to="m", status=S.SENDING, claimed_until=soon)
    OutboxMessage.objects.create(channel="test", to="m", status=S.SENT, next_attempt_at=soon - timedelta(seconds=50))
    assert services.next_due_at() == soon


def test_worker_refuses_immediate_mode():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="immediate"):
        call_command("run_worker")
