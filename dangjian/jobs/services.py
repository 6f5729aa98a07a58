"""The outbox and job machinery (SECURITY.md "Outbox").

Delivery is at-least-once from the worker's side and exactly-once at the gateway: a row is
claimed under a lease, the channel's deliverer passes ``message.pk`` to the gateway as its
idempotency key, and the row is marked sent. A worker killed between the gateway's accept and
the ``sent`` mark leaves the row ``sending``; when its lease expires another worker claims it and
calls the gateway again with the same key, which the gateway answers without sending twice.
"""
from __future__ import annotations

import logging
import os
import random
import re
import secrets
import socket
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from dangjian.core import audit, config

from .models import Job, OutboxMessage

logger = logging.getLogger("dangjian.jobs")

S = OutboxMessage.Status
DEFAULTS = {
    "lease_seconds": 120,  # a claimed row is someone else's after this long (worker died)
    "batch": 20,  # rows claimed per round
    "max_attempts": 8,  # then the row is dead
    "backoff_base": 30.0,  # seconds; doubles with every failed attempt
    "backoff_max": 3600.0,
    "pass_seconds": 50.0,  # nosec B105 # a duration, not a password # one delivery task stops claiming after this long (a follow-up continues)
    "job_stale_seconds": 900,  # a running job without a heartbeat this long is failed by the reaper
}


def conf(key: str):
    """``settings.DANGJIAN_OUTBOX`` overrides DEFAULTS (tests shorten the lease and backoff)."""
    return config.value("OUTBOX", {}).get(key, DEFAULTS[key])


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
    from . import tasks

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
    from .api import CHANNELS

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


# -- jobs ---------------------------------------------------------------------------------------

class JobRefused(Exception):
    """A refused job action (download, retry) with a stable code the page and the API map."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


def retention_hours() -> float:
    """How long a finished job's result file is kept (``DANGJIAN_JOB_RESULT_RETENTION_HOURS``, 24)."""
    return float(config.value("JOB_RESULT_RETENTION_HOURS", 24))


def create_job(*, actor, kind: str, params: dict, org_path: str = "", title: str = "", access=(), clear_text: bool = False,
               retry_of: Job | None = None) -> Job:
    """Write a Job row and run it on a worker once the transaction commits.

    ``access`` lists the ``(resource, action, path)`` rights the result needs: they are checked
    again when the file is downloaded (a user who lost them gets nothing; SECURITY.md "export
    lifecycle"). ``clear_text`` marks a result holding unmasked personal data."""
    from .api import JOB_KINDS

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
            from . import tasks

            tasks.run_job(pk)

        transaction.on_commit(enqueue)
    return job


def jobs_dir() -> Path:
    return Path(config.value("JOBS_DIR", "") or Path(settings.VAR_DIR) / "jobs")


def _ensure_dir(folder: Path) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    return folder


_SAFE_EXT = re.compile(r"\.[a-z0-9]{1,8}$")


def _label(job: Job) -> str:
    return f"jobs.result:{job.pk}"


def store_result(job: Job, filename: str, data: bytes) -> str:
    """Write the result under a server-generated name, encrypted with the data key (AES-GCM bound
    to the job), mode 0600 in a 0700 folder: a temp file, fsync, then an atomic rename."""
    from dangjian.core import crypto

    folder = _ensure_dir(jobs_dir())
    ext_match = _SAFE_EXT.search(filename.lower())
    name = f"{job.pk}-{secrets.token_hex(8)}{ext_match.group(0) if ext_match else '.bin'}"
    tmp = folder / f".tmp-{name}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(crypto.encrypt_bytes(data, _label(job)))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / name)
    return name


def result_path(job: Job) -> Path | None:
    """The job's result file, if it exists and lies inside the jobs folder."""
    if not job.result_file or "/" in job.result_file or "\\" in job.result_file or job.result_file.startswith("."):
        return None
    path = jobs_dir() / job.result_file
    return path if path.is_file() else None


def read_result(job: Job) -> bytes | None:
    """The decrypted result, or None when there is no (authentic) file."""
    from dangjian.core import crypto

    path = result_path(job)
    if path is None:
        return None
    try:
        return crypto.decrypt_bytes(path.read_bytes(), _label(job))
    except crypto.DecryptionError:
        logger.warning("job #%s: the result file failed authentication", job.pk)
        return None


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
    from .api import JOB_FAILED_HOOKS

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
    from .api import JOB_KINDS

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


# -- downloads and retention -----------------------------------------------------------------------

def check_access(*, actor, job: Job) -> None:
    """The user's *current* roles must still give every right the result needs (``job.access``):
    a revoked administrator gets nothing, however the link was kept (issue 10 item 5)."""
    from dangjian.core.policy import Scope

    if not job.access:
        return
    scope = Scope.for_user(actor)
    for resource, action, path in job.access:
        if not scope.path_allows(resource, action, path):
            raise JobRefused("not_allowed")


def download(*, actor, job: Job) -> tuple[str, bytes]:
    """The result (display name, bytes) for its owner, rights re-checked now; every download and
    every refusal is audited (``job.download`` / ``job.download_refused``)."""
    try:
        if job.actor_id != getattr(actor, "pk", None):
            raise JobRefused("not_found")
        if job.status != Job.Status.DONE:
            raise JobRefused("not_ready")
        if job.expired or not job.result_file:
            raise JobRefused("expired")
        check_access(actor=actor, job=job)
        data = read_result(job)
        if data is None:
            raise JobRefused("missing")
    except JobRefused as exc:
        if exc.code in ("not_allowed", "expired"):
            with transaction.atomic():
                audit.record(actor=actor, action="job.download_refused", obj=job, data={"kind": job.kind, "code": exc.code})
        raise
    with transaction.atomic():
        audit.record(actor=actor, action="job.download", obj=job,
                     data={"kind": job.kind, "file": job.result_name, "clear_text": job.clear_text, "bytes": len(data)})
    return job.result_name or f"result-{job.pk}.bin", data


def purge_results(now=None) -> int:
    """Delete result files past their retention (``expires_at``; older rows: finished + retention),
    mark the jobs purged, and remove files no live job refers to (temp files, deleted jobs)."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=retention_hours())
    due = Job.objects.exclude(result_file="").filter(Q(expires_at__lte=now) | Q(expires_at__isnull=True, finished_at__lte=cutoff))
    n = 0
    for job in due.only("pk", "result_file"):
        path = result_path(job)
        if path is not None:
            path.unlink(missing_ok=True)
            n += 1
        Job.objects.filter(pk=job.pk, result_file=job.result_file).update(result_file="", purged_at=now)
    folder = jobs_dir()
    if folder.is_dir():
        live = set(Job.objects.exclude(result_file="").values_list("result_file", flat=True))
        for p in folder.iterdir():
            try:
                if p.is_file() and p.name not in live and p.stat().st_mtime < cutoff.timestamp():
                    p.unlink()
                    n += 1
            except FileNotFoundError:
                pass
    return n
