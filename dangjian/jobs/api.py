"""What other apps use of the jobs app (the contract; the jobs helper implements it).

* Outbox (SECURITY.md "Outbox"): ``outbox_put`` writes a delivery row in the caller's
  transaction; workers claim rows safely, retry with backoff, and pass the row id to the
  gateway as an idempotency key, so a message is never delivered twice.
* Channels: the notify app registers a deliverer per channel (``sms``, ``email``).
* Jobs: long user-visible work (an export) with progress, a result file and a page.
* Periodic jobs: apps register them in their own ``tasks.py`` with :func:`periodic`.
* Results: encrypted at rest, mode 0600, kept ``DANGJIAN_JOB_RESULT_RETENTION_HOURS`` (24 h) and
  deleted by ``jobs.purge_results``; the rights a result needs (``access``) are checked again at
  every download (SECURITY.md "export lifecycle").
* Failures carry a stable code (:data:`FAILURE_MESSAGES`); hooks registered with
  :func:`on_job_failed` run after a job failed (the notify app writes the inbox message).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

# channel -> deliver(message) ; deliver raises on failure (the worker retries with backoff)
CHANNELS: dict[str, Callable[[Any], None]] = {}
# job kind -> run(job, progress) ; progress(percent: int, note: str) ; returns (filename, bytes) or None
JOB_KINDS: dict[str, Callable[[Any, Callable[[int, str], None]], tuple[str, bytes] | None]] = {}


def register_channel(channel: str, deliver: Callable[[Any], None]) -> None:
    CHANNELS[channel] = deliver


def register_job_kind(kind: str, run: Callable[[Any, Callable[[int, str], None]], tuple[str, bytes] | None]) -> None:
    JOB_KINDS[kind] = run


PERIODIC: dict[str, Any] = {}  # name -> Huey periodic task (registered by each app's tasks.py)


def outbox_put(*, channel: str, to: str, payload: dict, dedup_key: str | None = None):
    """Write one outbox row (inside the caller's transaction). ``to`` is an opaque recipient
    reference (e.g. ``member:123``), never a phone number in clear; returns the row.

    A delivery is kicked when the transaction commits (nothing is sent if it rolls back); the
    ``jobs.outbox_sweep`` periodic job delivers anything a lost kick left behind. An existing
    ``dedup_key`` returns the existing row instead of writing a second one."""
    from . import services

    return services.put(channel=channel, to=to, payload=payload, dedup_key=dedup_key)


# hooks called with the failed Job (after its failure is written); a hook's error is logged, never raised
JOB_FAILED_HOOKS: list[Callable[[Any], None]] = []


def on_job_failed(hook: Callable[[Any], None]) -> None:
    """Register a callback run for every failed job (idempotent per function)."""
    if hook not in JOB_FAILED_HOOKS:
        JOB_FAILED_HOOKS.append(hook)


def _failure_messages():
    from django.utils.translation import gettext_lazy as _

    return {
        "not_allowed": _("You may no longer do this: your roles or the organization changed."),
        "db_busy": _("The database was busy and the job stopped. Nothing was changed; start it again."),
        "db_error": _("The database could not be reached and the job stopped. Start it again shortly."),
        "worker_stopped": _("The background worker stopped while running this job. Start it again."),
        "unknown_kind": _("This kind of job is no longer available."),
        "internal": _("An unexpected error stopped the job; it is logged for the administrators. Start it again."),
    }


def failure_message(code: str) -> str:
    """The translated message shown for a job failure code (any unknown code reads as 'internal')."""
    messages = _failure_messages()
    return messages.get(code) or messages["internal"]


def start_job(*, actor, kind: str, params: dict, org_path: str = "", title: str = "", access=(), clear_text: bool = False):
    """Create a Job row and enqueue it when the transaction commits; returns the Job.

    ``access``: the ``(resource, action, path)`` rights the result needs, checked again at
    download (e.g. ``[("member", "export", org.path)]``, plus member reveal for clear text);
    ``clear_text``: the result holds unmasked personal data."""
    from . import services

    return services.create_job(actor=actor, kind=kind, params=params, org_path=org_path, title=title, access=access,
                               clear_text=clear_text)


def job_url(job) -> str:
    """The page that shows the job's progress and, when done, its download link."""
    from django.urls import reverse

    return reverse("job-detail", kwargs={"pk": getattr(job, "pk", job)})


def periodic(name: str, *, minute: str = "*", hour: str = "*", day: str = "*", month: str = "*", day_of_week: str = "*"):
    """Decorator registering a periodic job (Huey db_periodic_task) under a stable name."""

    def decorator(fn):
        from huey import crontab
        from huey.contrib.djhuey import db_periodic_task

        if name in PERIODIC:
            raise ValueError(f"periodic job {name!r} is registered twice")
        task = db_periodic_task(crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week), name=name)(fn)
        PERIODIC[name] = task
        return task

    return decorator
