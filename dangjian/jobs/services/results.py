"""Aggregate: a job's result file — stored encrypted, read back, downloaded with the rights
re-checked, purged after its retention.

Rules: docs/decisions.md 26 and SECURITY.md "export lifecycle" (the rights a result needs,
``job.access``, are checked again at every download — a revoked administrator gets nothing;
results encrypted at rest with AES-GCM bound to the job, mode 0600 in a 0700 folder, under a
server-generated name; kept ``DANGJIAN_JOB_RESULT_RETENTION_HOURS``, 24 h; every download and
every refusal audited).
"""
from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core import audit, config, policy

from ..models import Job
from ._common import JobRefused, logger


def retention_hours() -> float:
    """How long a finished job's result file is kept (``DANGJIAN_JOB_RESULT_RETENTION_HOURS``, 24)."""
    return float(config.value("JOB_RESULT_RETENTION_HOURS", 24))


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


# -- downloads and retention -----------------------------------------------------------------------

def _require_rights(actor, access) -> None:
    """Every ``(resource, action, path)`` right in ``access`` through the policy
    (:func:`dangjian.core.policy.authorize`); a refusal is the job's ``not_allowed``."""
    for resource, action, path in access or ():
        try:
            policy.authorize(actor, resource, action, path)
        except policy.NotPermitted:
            raise JobRefused("not_allowed") from None


def check_access(*, actor, job: Job) -> None:
    """The user's *current* roles must still give every right the result needs (``job.access``):
    a revoked administrator gets nothing, however the link was kept (issue 10 item 5)."""
    _require_rights(actor, job.access)


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
        _require_rights(actor, job.access)
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
