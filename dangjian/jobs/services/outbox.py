"""Aggregate: the outbox (SECURITY.md "Outbox") — a message row written in the business change's
transaction, claimed under a lease, delivered, retried with backoff.

Delivery is at-least-once from the worker's side and exactly-once at the gateway: a row is
claimed under a lease, the channel's deliverer passes ``message.pk`` to the gateway as its
idempotency key, and the row is marked sent. A worker killed between the gateway's accept and
the ``sent`` mark leaves the row ``sending``; when its lease expires another worker claims it and
calls the gateway again with the same key, which the gateway answers without sending twice.
A ``dedup_key`` already in the outbox writes nothing new (a double-click sends one SMS).
"""
from __future__ import annotations

import os
import random
import socket
import threading
import uuid
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from ..models import OutboxMessage
from ._common import conf, logger

S = OutboxMessage.Status


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


# -- outbox: writing -------------------------------------------------------------------------

def put(*, channel: str, to: str, payload: dict, dedup_key: str | None = None) -> OutboxMessage:
    """Write one outbox row in the caller's transaction and kick a delivery when it commits.

    With a ``dedup_key`` that is already in the outbox, the existing row is returned and nothing
    new is written (a double-click sends one SMS).
    """
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("outbox_put must be called inside transaction.atomic() (the business change's transaction)")
    if not dedup_key:
        msg = OutboxMessage.objects.create(channel=channel, to=to, payload=payload)
        _kick_on_commit(conn)
        return msg
    existing = OutboxMessage.objects.filter(dedup_key=dedup_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: a concurrent duplicate key fails here, not the caller's transaction
            msg = OutboxMessage.objects.create(channel=channel, to=to, payload=payload, dedup_key=dedup_key)
    except IntegrityError:
        return OutboxMessage.objects.get(dedup_key=dedup_key)
    _kick_on_commit(conn)
    return msg


def _kick():
    from .. import tasks

    tasks.deliver_outbox()


def _kick_on_commit(conn) -> None:
    """One kick per transaction, however many rows it wrote (rolled-back callbacks vanish with it)."""
    if any(entry[1] is _kick for entry in conn.run_on_commit):
        return
    transaction.on_commit(_kick)


# -- outbox: claiming and delivering ---------------------------------------------------------

def _due(now) -> Q:
    return Q(status__in=[S.PENDING, S.FAILED], next_attempt_at__lte=now) | Q(status=S.SENDING, claimed_until__lt=now)


def claim(*, worker: str, limit: int | None = None) -> list[OutboxMessage]:
    """Claim up to ``limit`` due rows for this worker under a lease; no two workers get one row.

    PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` and mark them ``sending`` in one transaction.
    SQLite (one writer at a time): a conditional ``UPDATE … WHERE id IN (…) AND <still due>``.
    Every claim carries a fresh token in ``claimed_by``, so the rows read back are exactly ours.
    """
    limit = limit or conf("batch")
    now = timezone.now()
    token = f"{worker}/{uuid.uuid4().hex[:12]}"
    claim_fields = {"status": S.SENDING, "claimed_by": token, "claimed_until": now + timedelta(seconds=conf("lease_seconds")),
                    "attempts": F("attempts") + 1}
    order = ("next_attempt_at", "pk")
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ids = list(OutboxMessage.objects.select_for_update(skip_locked=True).filter(_due(now))
                       .order_by(*order).values_list("pk", flat=True)[:limit])
            if not ids:
                return []
            OutboxMessage.objects.filter(pk__in=ids).update(**claim_fields)
    else:
        ids = list(OutboxMessage.objects.filter(_due(now)).order_by(*order).values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        with transaction.atomic():
            if not OutboxMessage.objects.filter(_due(now), pk__in=ids).update(**claim_fields):
                return []
    return list(OutboxMessage.objects.filter(claimed_by=token, status=S.SENDING).order_by("pk"))


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: base·2^(n-1), capped, times a random 0.5–1.0."""
    raw = min(conf("backoff_max"), conf("backoff_base") * (2 ** max(0, attempts - 1)))
    return raw * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not security)  # nosec B311


def deliver_one(msg: OutboxMessage) -> str:
    """Deliver one claimed row; returns its new status ('' when the lease ran out before we started)."""
    from ..api import CHANNELS

    if msg.claimed_until is None or timezone.now() >= msg.claimed_until - timedelta(seconds=1):
        return ""  # no longer ours for sure: leave it to whoever claims it next
    deliver = CHANNELS.get(msg.channel)
    try:
        if deliver is None:
            raise LookupError(f"no deliverer registered for channel {msg.channel!r}")
        deliver(msg)
    except Exception as exc:  # the deliverer's failure is data: retry or give up
        error = f"{type(exc).__name__}: {exc}"[:1000]
        now = timezone.now()
        if msg.attempts >= conf("max_attempts"):
            status, fields = S.DEAD, {}
        else:
            status, fields = S.FAILED, {"next_attempt_at": now + timedelta(seconds=backoff_seconds(msg.attempts))}
        OutboxMessage.objects.filter(pk=msg.pk, claimed_by=msg.claimed_by, status=S.SENDING).update(
            status=status, claimed_until=None, last_error=error, **fields)
        logger.warning("outbox %s #%s attempt %s failed (%s): %s", msg.channel, msg.pk, msg.attempts, status, type(exc).__name__)
        return status
    # Delivered: mark it sent even if our lease ran out meanwhile (the gateway has it).
    OutboxMessage.objects.filter(pk=msg.pk).exclude(status=S.SENT).update(
        status=S.SENT, sent_at=timezone.now(), claimed_until=None, last_error="")
    return S.SENT


def deliver_due(*, worker: str | None = None, seconds: float | None = None) -> dict[str, int]:
    """Claim and deliver due rows until none is due or ``seconds`` have passed; returns counts."""
    worker = worker or worker_name()
    deadline = timezone.now() + timedelta(seconds=seconds if seconds is not None else conf("pass_seconds"))
    counts: dict[str, int] = {}
    while timezone.now() < deadline:
        batch = claim(worker=worker)
        if not batch:
            break
        for msg in batch:
            status = deliver_one(msg)
            counts[status or "skipped"] = counts.get(status or "skipped", 0) + 1
    return counts


def next_due_at():
    """When the earliest not-yet-due row becomes due (a retry's backoff or a lease's end), or None."""
    a = OutboxMessage.objects.filter(status__in=[S.PENDING, S.FAILED]).aggregate(t=Min("next_attempt_at"))["t"]
    b = OutboxMessage.objects.filter(status=S.SENDING).aggregate(t=Min("claimed_until"))["t"]
    times = [t for t in (a, b) if t is not None]
    return min(times) if times else None


def outbox_counts() -> dict[str, int]:
    from django.db.models import Count

    return {row["status"]: row["n"] for row in OutboxMessage.objects.values("status").annotate(n=Count("pk"))}
