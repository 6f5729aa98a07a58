"""Job kinds and periodic jobs of the members app (Huey autodiscovers ``tasks`` modules)."""

from dangjian.core import config, rollups
from dangjian.jobs.api import periodic

from .roster_xlsx import register_export_job, sweep_uploads

register_export_job()


@periodic("members.refresh_rollups", minute="17", hour="2")
def refresh_rollups_nightly():
    """Rebuild every subtree head-count at 02:17: deltas keep totals exact during the day, but
    age bands move with birthdays (DESIGN.md "Scale path")."""
    return rollups.refresh_all()


@periodic("members.sweep_roster_uploads", minute="*/5")
def sweep_roster_uploads():
    """Every five minutes: delete uploaded roster workbooks (plaintext ID numbers) that a preview
    left behind longer than the session idle timeout, not only when someone uploads again."""
    return sweep_uploads(max_age=int(config.value("ROSTER_UPLOAD_TTL_SECONDS", 1800)))
