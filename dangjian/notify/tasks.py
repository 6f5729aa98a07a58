"""Periodic job: release SMS held back by quiet hours once they are over (every minute)."""
from __future__ import annotations

from dangjian.jobs.api import periodic

from . import services


@periodic("notify.release_deferred", minute="*")
def release_deferred_notifications():
    return services.release_deferred()
