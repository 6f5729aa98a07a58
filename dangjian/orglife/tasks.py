"""Scheduled work of org life (run by the Huey worker; see README "Background worker")."""
from dangjian.jobs.api import periodic

from . import services


@periodic("orglife.meeting_reminders", minute="*/5")
def meeting_reminders():
    """Every 5 minutes: send each meeting's reminder once, ``DANGJIAN_ORGLIFE_REMINDER_MINUTES``
    (default 120) before it starts."""
    return services.send_due_reminders()


@periodic("orglife.inflow_credit", minute="40", hour="5")
def inflow_credit_daily():
    """Flowing members' org life at the inflow organization counts for the home branch
    (教育管理条例 art. 32): re-apply the credit to home meetings closed before the inflow meeting
    (``services.credit_inflow_recent``; idempotent)."""
    return services.credit_inflow_recent()
