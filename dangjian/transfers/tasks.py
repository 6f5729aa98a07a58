"""Scheduled work of organizational relationship (DOMAIN §11 [warn]/[remind])."""
from dangjian.jobs.api import periodic


@periodic("transfers.daily", minute="20", hour="6")
def transfers_daily():
    from .services import run_daily

    return run_daily()


@periodic("transfers.inflow_credit", minute="40", hour="5")
def inflow_credit_daily():
    """Flowing members' org life at the inflow organization counts for the home branch
    (教育管理条例 art. 32): re-apply the credit to home meetings closed before the inflow meeting
    (``orglife.services.credit_inflow_recent``; idempotent)."""
    from dangjian.orglife.services import credit_inflow_recent

    return credit_inflow_recent()
