"""What other apps use of the jobs app (the contract; the jobs helper implements it).

* Outbox (SECURITY.md "Outbox"): ``outbox_put`` writes a delivery row in the caller's
  transaction; workers claim rows safely, retry with backoff, and pass the row id to the
  gateway as an idempotency key, so a message is never delivered twice.
* Channels: the notify app registers a deliverer per channel (``sms``, ``email``).
* Jobs: long user-visible work (an export) with progress, a result file and a page.
* Periodic jobs: apps register them in their own ``tasks.py`` with :func:`periodic`.
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


def start_job(*, actor, kind: str, params: dict, org_path: str = "", title: str = ""):
    """Create a Job row and enqueue it when the transaction commits; returns the Job."""
    from . import services

    return services.create_job(actor=actor, kind=kind, params=params, org_path=org_path, title=title)


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
