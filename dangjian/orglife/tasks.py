"""Scheduled work of org life (run by the Huey worker; see README "Background worker")."""
from dangjian.jobs.api import periodic

from . import services


@periodic("orglife.meeting_reminders", minute="*/5")
def meeting_reminders():
    """Every 5 minutes: send each meeting's reminder once, ``DANGJIAN_ORGLIFE_REMINDER_MINUTES``
    (default 120) before it starts."""
    return services.send_due_reminders()
