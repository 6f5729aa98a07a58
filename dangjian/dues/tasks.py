"""Periodic jobs and the export job kind of the dues app."""
from django.utils import timezone

from dangjian.jobs.api import periodic

from .export import register_export_job
from .months import month_start

register_export_job()


@periodic("dues.monthly_bills", minute="5", hour="0")
def monthly_bills():
    """At 00:05 on the 1st — and again every day after it — this month's bills for every active
    member with a dues profile. Idempotent (one bill per member and month): the later runs only
    catch up after a worker was down on the 1st and bill members admitted or given a profile
    during the month (from their month of admission, art. 8)."""
    from . import services

    return services.generate_bills(actor=None, month=month_start(timezone.localdate()))


@periodic("dues.arrears", minute="40", hour="1")
def daily_arrears():
    """Every day at 01:40: arrears warnings (1 and 3 months) and 6-month review cases, once each."""
    from . import services

    return services.run_arrears()


@periodic("dues.rebase_reminder", minute="0", hour="9", day="3")
def rebase_reminder():
    """On the 3rd at 09:00 of the re-base month (January by default): remind branch secretaries
    of the members whose dues base was not re-assessed this year."""
    from . import services

    return services.rebase_reminders()
