"""Scheduled work of organizational relationship (DOMAIN §11 [warn]/[remind])."""
from dangjian.jobs.api import periodic


@periodic("transfers.daily", minute="20", hour="6")
def transfers_daily():
    from .services import run_daily

    return run_daily()
