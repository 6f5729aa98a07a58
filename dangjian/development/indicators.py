"""Member development's monitor for the registry of :mod:`dangjian.core.indicators` (issue 9 item 6).

``development.probation_ending`` — probationary members (open cases past approval, steps 17–22,
with their ``probation_end``: 支部大会 date + 1 year, 党章 art. 7) whose probation ends within a
month of ``today`` or has ended without a conversion decision. The rule is the app's own
(:func:`selectors.alerts_for`): [remind] from 1 calendar month before the end (rule
``probation_1y``), [warn] after it (``conversion_overdue``), with the message, the article and
the rule pack of each case. Once the conversion meeting (step 23) is recorded a decision exists and
the case leaves this list (its approval deadline is another rule). Ended probations first, then by
end date. One query (the cases of the subtree in that window).

Probationary members recorded without a development case (an imported roll) have no
``probation_end`` here and are not listed.
"""
from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import same_day_months_later

from .models import CaseStatus, DevelopmentCase

RULES = ("probation_1y", "conversion_overdue")


def probation_ending(*, org, today: dt.date):
    from dangjian.core.indicators import Finding

    from .selectors import alerts_for

    horizon = same_day_months_later(today, 1) + dt.timedelta(days=3)  # a superset; the app's rule decides below
    cases = (DevelopmentCase.objects.filter(org_path__startswith=org.path, status=CaseStatus.OPEN, last_code__gte=17,
                                            last_code__lte=22, probation_end__isnull=False, probation_end__lte=horizon)
             .only("id", "name", "org_path", "status", "last_code", "probation_end", "rule_pack", "rule_items")
             .order_by("probation_end", "org_path", "id"))
    out = []
    for c in cases:
        # the step dates are not needed for the probation rules (only the case's probation_end): no query per case
        hits = [a for a in alerts_for(c, today, dates={}) if a.rule_id in RULES]
        if hits:
            out.append(Finding(c.org_path, c.name, hits[0].message, reverse("development-case-detail", args=[c.pk]),
                               c.probation_end))
    return out


def register() -> None:
    from dangjian.core.indicators import Monitor, register_monitor

    register_monitor(Monitor(
        "development.probation_ending", _("Probation ending"), "warning", probation_ending,
        rule_ref="党章 art. 7; 细则 art. 27 (2014) / art. 31–32 (2026, inferred); DOMAIN §4.2, §11 Member development",
        description=_("Probationary members whose probation ends within a month or has ended with no conversion "
                      "decision; the date is the end of the probation.")))
