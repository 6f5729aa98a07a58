"""What the outbox, the jobs and their results share: the app's logger, the tunables
(``DANGJIAN_OUTBOX`` over :data:`DEFAULTS`: lease, batch, attempts, backoff, stale jobs) and the
coded refusal of a job action (:class:`JobRefused`: a download, a retry)."""
from __future__ import annotations

import logging

from dangjian.core import config

logger = logging.getLogger("dangjian.jobs")

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


class JobRefused(Exception):
    """A refused job action (download, retry) with a stable code the page and the API map."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code
