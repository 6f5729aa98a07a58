"""Daily reminders of member development (DOMAIN §11 [remind]/[warn]): the branch secretary —
and the probationary member for probation-end reminders — is told before each deadline and
when it has passed. Idempotent: a ``ReminderSent`` row per (case, kind, due date) means the
same reminder is never sent twice, however often the job runs."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.jobs.api import periodic

from .messages import ALERT_KIND
from .models import CaseStatus, DevelopmentCase, ReminderSent


def send_reminders(today=None) -> int:
    """Send every due reminder not sent before; returns how many were sent."""
    from dangjian.core.models import Role
    from dangjian.notify.api import RoleIn, notify

    from .selectors import bulk_alerts

    today = today or timezone.localdate()
    sent = 0
    qs = DevelopmentCase.objects.filter(status=CaseStatus.OPEN).select_related("org", "member__user").order_by("id")
    last_id = 0
    while True:
        batch = list(qs.filter(id__gt=last_id)[:500])
        if not batch:
            break
        last_id = batch[-1].pk
        alerts = bulk_alerts(batch, today)
        done = set(ReminderSent.objects.filter(case__in=batch).values_list("case_id", "key"))
        for case in batch:
            for a in alerts.get(case.pk, []):
                if (case.pk, a.key) in done:
                    continue
                recipients = [RoleIn(case.org, Role.SECRETARY)]
                if a.to_member and case.member_id and case.member.user_id:
                    recipients.append(case.member.user)
                try:
                    with transaction.atomic():
                        ReminderSent.objects.create(case=case, key=a.key)
                        notify(recipients=recipients, kind=ALERT_KIND[a.kind], org=case.org, channels=("inbox",),
                               context={"name": case.name, "due": a.due.isoformat(), "rule": f"{a.rule_id} · {a.article}", "case": case.pk})
                except IntegrityError:  # another worker sent it meanwhile
                    continue
                sent += 1
    return sent


@periodic("development.reminders", minute="40", hour="7")
def daily_reminders():
    """Every day at 07:40 (Beijing time)."""
    return send_reminders()
