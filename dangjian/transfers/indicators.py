"""Organizational relationship's monitor for the registry of :mod:`dangjian.core.indicators`
(issue 9 item 6).

``transfers.overdue`` — introduction letters of the subtree's *sending* side (``from_path``: the
sending organization stays responsible until the receipt, DOMAIN §5 / 教育管理条例 art. 25) past the
app's own deadlines with no answer (the flags of ``selectors.transfer_flags``, DOMAIN §11
"Organisational relationship"):

* a letter inside the platform past its last valid day (``valid_until``, [cfg] validity 10 / 30
  days, ≤ 90) without report-in — still ISSUED (the daily job has not run yet) or already EXPIRED;
  an EXPIRED one only while the member is still active and no later transfer of theirs exists
  (once a new letter is asked for, the expired one needs nothing more);
* a letter to an organization outside the platform whose receipt (回执) is not back
  ``receipt_due_days`` ([cfg], default 30) after its last valid day (组通字〔2006〕45号: within 1
  month; ``services.outside.receipt_overdue``).

``due`` is the deadline missed; oldest first. One query.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.members.api import RecordState

from .conf import cfg
from .models import Transfer, TransferKind, TransferStatus


def overdue(*, org, today: dt.date):
    from dangjian.core.indicators import Finding

    receipt_days = dt.timedelta(days=cfg("receipt_due_days"))
    later = Transfer.objects.filter(member_id=OuterRef("member_id"), pk__gt=OuterRef("pk"))
    rows = (Transfer.objects.filter(from_path__startswith=org.path).exclude(kind=TransferKind.IN)
            .filter(Q(status=TransferStatus.ISSUED, valid_until__lt=today)
                    | Q(status=TransferStatus.EXPIRED, valid_until__lt=today, member__state=RecordState.ACTIVE)
                    | Q(status=TransferStatus.LEFT, valid_until__lt=today - receipt_days))
            .annotate(superseded=Exists(later))
            .exclude(status=TransferStatus.EXPIRED, superseded=True)
            .values_list("pk", "status", "member_name", "from_path", "to_name", "letter_no", "valid_until"))
    out = []
    for pk, status, name, path, to_name, letter_no, valid_until in rows:
        if status == TransferStatus.LEFT:
            due = valid_until + receipt_days
            detail = _("Letter %(no)s to %(to)s: the receipt has not been returned within one month (due %(d)s).") % {
                "no": letter_no, "to": to_name, "d": due}
        else:
            due = valid_until
            detail = _("Letter %(no)s to %(to)s expired on %(d)s without report-in.") % {"no": letter_no, "to": to_name, "d": due}
        out.append(Finding(path, name, detail, reverse("transfers-detail", args=[pk]), due))
    out.sort(key=lambda f: (f.due, f.org_path, f.subject, f.url))
    return out


def register() -> None:
    from dangjian.core.indicators import Monitor, register_monitor

    register_monitor(Monitor(
        "transfers.overdue", gettext_lazy("Transfer letters overdue"), "warning", overdue,
        rule_ref="组通字〔2006〕45号 (letter validity, receipt within 1 month); 教育管理条例 art. 25; DOMAIN §5, §11",
        description=gettext_lazy("Introduction letters sent from the organization's subtree that expired without "
                                 "report-in, or whose receipt from outside the platform is overdue; oldest first.")))
