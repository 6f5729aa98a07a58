"""Scheduled work of elections and terms: [remind] 6 months before a term ends (DOMAIN §11)."""
from dangjian.jobs.api import periodic


@periodic("elections.term_reminders", minute="40", hour="6")
def term_reminders():
    from .services import run_daily

    return run_daily()
