"""Aggregate: a job (long user-visible work, e.g. an export) — created and enqueued on commit,
run once, its progress written, failed with a stable code, reaped when its worker died, retried.

Rules: docs/decisions.md 27 (a watched export: on a SQLite file the progress is written from its
own connection, every progress write retries and is never fatal; a failure stores a stable code;
every failure, the reaper's included, calls the ``jobs.api.on_job_failed`` hooks) and 26 (a retry
is its owner's, of a failed or expired job only, with the result's rights still held; audited
``job.retry``); the queued → running step is a conditional UPDATE, so a job runs once.
"""
from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from dangjian.core import audit, policy

from ..models import Job
from ._common import JobRefused, conf, logger
from .results import check_access, retention_hours, store_result


def create_job(*, actor, kind: str, params: dict, org_path: str = "", title: str = "", access=(), clear_text: bool = False,
               retry_of: Job | None = None) -> Job:
    """Write a Job row and run it on a worker once the transaction commits.

    ``access`` lists the ``(resource, action, path)`` rights the result needs: they are checked
    again when the file is downloaded (a user who lost them gets nothing; SECURITY.md "export
    lifecycle"). ``clear_text`` marks a result holding unmasked personal data. The actor must
    hold them now (:func:`_may_start`): nobody starts a job for a result they may not read."""
    from ..api import JOB_KINDS

    _may_start(actor, access)

    if kind not in JOB_KINDS:
        # Apps register their kinds in their tasks.py, which the worker imports; a web process may
        # not have imported them yet (a retry from the job page is the first start there).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
    if kind not in JOB_KINDS:
        raise LookupError(f"unknown job kind {kind!r}")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=params, actor=actor if getattr(actor, "pk", None) else None,
                                 org_path=org_path, title=title[:200], access=[list(a) for a in access],
                                 clear_text=bool(clear_text), retry_of=retry_of)
        pk = job.pk

        def enqueue():
            from .. import tasks

            tasks.run_job(pk)

        transaction.on_commit(enqueue)
    return job


def _may_start(actor, access) -> None:
    """Every right the result needs, through the policy (``NotPermitted`` otherwise)."""
    for resource, action, path in access or ():
        policy.authorize(actor, resource, action, path)


def _display_name(filename: str) -> str:
    name = re.sub(r"[\x00-\x1f\x7f/\\\"]", "_", filename).strip() or "result.bin"
    return name[:200]


# -- progress: short writes that never break the job ------------------------------------------------

def _write_progress(job_id: int, pct: int, note: str, attempts: int = 5) -> bool:
    """One autocommit UPDATE of the job's progress and heartbeat; retried with backoff when the
    database is busy. Progress is informative: a write that keeps failing is skipped, not fatal."""
    for attempt in range(attempts):
        try:
            Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(progress=pct, note=str(note)[:200], heartbeat_at=timezone.now())
            return True
        except OperationalError as exc:
            if attempt == attempts - 1:
                logger.warning("job #%s: progress not written (%s)", job_id, exc)
                return False
            time.sleep(0.05 * (2 ** attempt))
    return False


class _ProgressWriter(threading.Thread):
    """Writes the latest progress from its own database connection (SQLite file databases).

    The job body reads the roster through an open cursor, which holds a read snapshot on the job's
    connection. A write on *that* connection after anybody else committed (a page polling the job
    saves its session) fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT: no busy
    timeout helps). A second connection has no snapshot to defend: its short UPDATE waits its turn
    for the write lock. Updates are coalesced (the newest wins) and a heartbeat is written at least
    every ``HEARTBEAT`` seconds while the job runs."""

    HEARTBEAT = 10.0

    def __init__(self, job_id: int):
        super().__init__(name=f"job-{job_id}-progress", daemon=True)
        self.job_id = job_id
        self.latest: tuple[int, str] = (0, "")
        self.wake = threading.Event()
        self.stopping = False

    def update(self, pct: int, note: str) -> None:
        self.latest = (pct, note)
        self.wake.set()

    def run(self) -> None:
        from django.db import connections

        try:
            while not self.stopping:
                self.wake.wait(self.HEARTBEAT)
                self.wake.clear()
                if self.stopping:
                    break
                _write_progress(self.job_id, *self.latest)
                time.sleep(0.2)  # coalesce bursts of updates into one write
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        self.join(timeout=15)


def _own_connection_for_progress() -> bool:
    return connection.vendor == "sqlite" and not connection.is_in_memory_db() and not connection.in_atomic_block


# -- running, failing, retrying -------------------------------------------------------------------

FAILURE_CODES = ("not_allowed", "db_busy", "db_error", "worker_stopped", "unknown_kind", "internal")


def failure_code(exc: BaseException) -> str:
    """The stable code of why a job failed (the page translates it; the raw error stays in ``error``)."""
    if isinstance(exc, ValidationError | PermissionError):
        return "not_allowed"
    if isinstance(exc, LookupError) and "job kind" in str(exc):
        return "unknown_kind"
    if isinstance(exc, OperationalError):
        return "db_busy" if "locked" in str(exc).lower() or "busy" in str(exc).lower() else "db_error"
    return "internal"


def _announce_failure(job_id: int) -> None:
    """Call the failure hooks (the notify app puts a message in the owner's inbox) after commit."""
    from ..api import JOB_FAILED_HOOKS

    job = Job.objects.select_related("actor").filter(pk=job_id).first()
    if job is None:
        return
    for hook in list(JOB_FAILED_HOOKS):
        for attempt in range(4):
            try:
                hook(job)
                break
            except OperationalError:
                if attempt == 3:
                    logger.exception("job #%s: a failure hook failed", job_id)
                time.sleep(0.2 * (2 ** attempt))
            except Exception:
                logger.exception("job #%s: a failure hook failed", job_id)
                break


def _fail(job_id: int, *, code: str, error: str, progress: int | None = None) -> None:
    fields = {"status": Job.Status.FAILED, "error": error[:1000], "error_code": code, "finished_at": timezone.now()}
    if progress is not None:
        fields["progress"] = progress
    for attempt in range(5):  # the failure itself must land even on a busy database
        try:
            Job.objects.filter(pk=job_id).update(**fields)
            break
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2 * (2 ** attempt))
    _announce_failure(job_id)


def run_job(job_id: int) -> str:
    """Run a queued job (once: the queued→running step is a conditional UPDATE); returns its status."""
    from ..api import JOB_KINDS

    J = Job.Status
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, status=J.QUEUED).update(status=J.RUNNING, started_at=now, heartbeat_at=now):
        return ""
    job = Job.objects.get(pk=job_id)
    writer = _ProgressWriter(job_id) if _own_connection_for_progress() else None
    last = {"pct": 0}

    def progress(percent: int, note: str = "") -> None:
        pct = max(0, min(99, int(percent)))
        last["pct"] = pct
        if writer is not None:
            writer.update(pct, note)
        else:
            _write_progress(job_id, pct, note)

    if writer is not None:
        writer.start()
    try:
        run = JOB_KINDS.get(job.kind)
        if run is None:
            raise LookupError(f"unknown job kind {job.kind!r}")
        result = run(job, progress)
        fields = {}
        if result:
            filename, data = result
            fields = {"result_file": store_result(job, filename, data), "result_name": _display_name(filename),
                      "expires_at": timezone.now() + timedelta(hours=retention_hours())}
    except Exception as exc:
        logger.exception("job %s #%s failed", job.kind, job_id)
        if writer is not None:
            writer.stop()
        _fail(job_id, code=failure_code(exc), error=f"{type(exc).__name__}: {exc}", progress=last["pct"])
        return J.FAILED
    if writer is not None:
        writer.stop()
    Job.objects.filter(pk=job_id).update(status=J.DONE, progress=100, finished_at=timezone.now(), heartbeat_at=timezone.now(),
                                         error="", error_code="", **fields)
    return J.DONE


def reap_stale_jobs() -> int:
    """Fail running jobs whose worker stopped sending heartbeats (it was killed or crashed)."""
    cutoff = timezone.now() - timedelta(seconds=conf("job_stale_seconds"))
    ids = list(Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).values_list("pk", flat=True))
    n = 0
    for pk in ids:
        if Job.objects.filter(pk=pk, status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).update(
                status=Job.Status.FAILED, error_code="worker_stopped", finished_at=timezone.now(),
                error="The worker stopped while running this job; start it again."):
            n += 1
            _announce_failure(pk)
    return n


def retry_job(*, actor, job: Job) -> Job:
    """Start a failed (or expired) job again as a new job of its owner (the job body re-checks the
    rights then). Rule: only the owner retries, only a failed job or one whose file is gone, and the
    rights the result needs must still be held; audited as ``job.retry``."""
    if job.actor_id != getattr(actor, "pk", None):
        raise JobRefused("not_found")
    if not (job.status == Job.Status.FAILED or (job.status == Job.Status.DONE and job.expired)):
        raise JobRefused("not_retryable")
    check_access(actor=actor, job=job)
    with transaction.atomic():
        new = create_job(actor=actor, kind=job.kind, params=job.params, org_path=job.org_path, title=job.title,
                         access=job.access, clear_text=job.clear_text, retry_of=job)
        audit.record(actor=actor, action="job.retry", obj=new, data={"kind": job.kind, "retry_of": job.pk})
    return new
