"""Job kinds and periodic jobs of the members app (Huey autodiscovers ``tasks`` modules)."""
from dangjian.core import rollups
from dangjian.jobs.api import periodic

from .roster_xlsx import register_export_job

register_export_job()


@periodic("members.refresh_rollups", minute="17", hour="2")
def refresh_rollups_nightly():
    """Rebuild every subtree head-count at 02:17: deltas keep totals exact during the day, but
    age bands move with birthdays (DESIGN.md "Scale path")."""
    return rollups.refresh_all()
