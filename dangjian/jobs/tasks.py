"""Thin Huey tasks over dangjian.jobs.services (the worker imports every app's tasks.py)."""
from __future__ import annotations

import logging
import time

from huey.contrib.djhuey import HUEY, db_task

from . import services
from .api import periodic

logger = logging.getLogger("dangjian.jobs")
FOLLOWUP_KEY = "dangjian.outbox.followup"
FOLLOWUP_HORIZON = 55.0  # seconds; anything later is left to the every-minute sweep


@db_task(name="jobs.deliver_outbox")
def deliver_outbox(followup: bool = False):
    """Deliver every due outbox row, then schedule one follow-up for the next retry or lease end."""
    if followup:
        HUEY.delete(FOLLOWUP_KEY)
    counts = services.deliver_due()
    schedule_followup()
    return counts


def schedule_followup() -> None:
    """At most one pending follow-up (its due time kept in Huey's key-value store); an earlier
    due time schedules another one. A lost follow-up is covered by the periodic sweep."""
    if HUEY.immediate:
        return
    due = services.next_due_at()
    if due is None:
        return
    now = time.time()
    eta = max(now + 0.5, due.timestamp() + 0.2)
    if eta - now > FOLLOWUP_HORIZON:
        return
    current = HUEY.get(FOLLOWUP_KEY, peek=True)
    if current is not None and now - 5 < current <= eta + 1:
        return  # a follow-up at (about) that time or earlier is already scheduled
    HUEY.put(FOLLOWUP_KEY, eta)
    deliver_outbox.schedule(kwargs={"followup": True}, delay=eta - now)


@db_task(name="jobs.run_job")
def run_job(job_id: int):
    return services.run_job(job_id)


@periodic("jobs.outbox_sweep", minute="*")
def outbox_sweep():
    """Every minute: deliver what a lost on-commit kick or a dead worker left behind."""
    HUEY.delete(FOLLOWUP_KEY)
    counts = services.deliver_due()
    schedule_followup()
    if counts:
        logger.info("outbox sweep: %s", counts)
    return counts


@periodic("jobs.reap_stale_jobs", minute="*/5")
def reap_stale_jobs():
    """Every five minutes: fail jobs whose worker died mid-run, so their pages stop polling."""
    return services.reap_stale_jobs()


@periodic("jobs.purge_results", minute="*/10")
def purge_results():
    """Every ten minutes: delete export files past their retention (DANGJIAN_JOB_RESULT_RETENTION_HOURS)."""
    n = services.purge_results()
    if n:
        logger.info("purged %s job result files", n)
    return n


@periodic("core.audit_seal", minute="*")
def audit_seal():
    """Every minute: chain and sign the audit rows committed since the last seal (docs/decisions.md 4b)."""
    from dangjian.core import audit

    r = audit.seal()
    if r.waiting_at is not None:
        logger.info("audit seal: %s rows sealed, waiting at seq %s (%s unsealed)", r.sealed, r.waiting_at, r.pending)
    return {"sealed": r.sealed, "gaps": len(r.gaps), "head": r.head, "pending": r.pending}


def startup_kick(n: int = 1) -> None:
    """Called by ``run_worker`` before the consumer starts: sweep the outbox right away."""
    for _ in range(max(1, n)):
        deliver_outbox()
