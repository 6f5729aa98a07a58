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


def outbox_put(*, channel: str, to: str, payload: dict, dedup_key: str | None = None):
    """Write one outbox row (inside the caller's transaction). ``to`` is an opaque recipient
    reference (e.g. ``member:123``), never a phone number in clear; returns the row."""
    raise NotImplementedError


def start_job(*, actor, kind: str, params: dict, org_path: str = "", title: str = ""):
    """Create a Job row and enqueue it when the transaction commits; returns the Job."""
    raise NotImplementedError


def job_url(job) -> str:
    """The page that shows the job's progress and, when done, its download link."""
    raise NotImplementedError


def periodic(name: str, *, minute: str = "*", hour: str = "*", day: str = "*", month: str = "*", day_of_week: str = "*"):
    """Decorator registering a periodic job (Huey db_periodic_task) under a stable name."""
    raise NotImplementedError
