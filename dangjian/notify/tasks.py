"""Periodic job: release SMS held back by quiet hours once they are over (every minute)."""
from __future__ import annotations

from dangjian.jobs.api import periodic

from . import services


def release_deferred_notifications():
    return services.release_deferred()


try:
    release_deferred_notifications = periodic("notify.release_deferred", minute="*")(release_deferred_notifications)
except NotImplementedError:  # the jobs app's scheduler has not landed yet; the function still works
    pass
