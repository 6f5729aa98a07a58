"""Scheduled work of the appraisal app (run by the Huey worker; see README "Background worker")."""
from dangjian.jobs.api import periodic

from . import services


@periodic("appraisal.correction_reminders", hour="7", minute="10")
def correction_reminders():
    """Daily: the 限期改正 end-date reminders (``services.correction_reminders``)."""
    return services.correction_reminders()
