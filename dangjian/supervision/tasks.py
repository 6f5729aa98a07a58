"""Scheduled work of supervision (Huey periodic jobs, registered through dangjian.jobs.api)."""
from dangjian.jobs.api import periodic


@periodic("supervision.monthly_bulletin", minute="0", hour="2", day="1")
def monthly_bulletin():
    """On the 1st of every month at 02:00: last month's tiered bulletin (分级分档通报, seed 003) of
    every county and town committee; months already published are skipped."""
    from .services import run_monthly

    return run_monthly()
