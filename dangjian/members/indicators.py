"""Members' indicator for the registry of :mod:`dangjian.core.indicators` (issue 9 item 6).

``members.total`` — members of the organization's subtree at the close of the period, i.e. on
its last day (``end`` − 1 day; [start, end) is half-open), one query either way:

* a period still running (its last day is today or later): the subtree's rollup row, as the home
  page and the member roster read it (``core.rollups.counts_for``: active members now; DESIGN.md
  "Scale path" — statistics above county level read rollups, never scans);
* a period already over: the roll's history (``MemberOrgHistory``, kept by the member services on
  create, move and close): members in an organization of the subtree on that day. The history
  starts when a record entered the platform, so a day before the platform's start counts only
  the members recorded by then.

Not assessable: a head-count rewards recruitment by numbers, which the development rules forbid
(DOMAIN §4.2 "控制总量…成熟一个，发展一个; no crash recruitment").
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core import rollups

from .models import MemberOrgHistory


def total(*, org, start: dt.date, end: dt.date) -> int:
    on = end - dt.timedelta(days=1)
    if on >= timezone.localdate():
        return int(rollups.counts_for(org).get("total", 0))
    return (MemberOrgHistory.objects.filter(org__path__startswith=org.path, started_on__lte=on)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
            .values("member_id").distinct().count())


def register() -> None:
    from dangjian.core.indicators import Indicator, register_indicator

    register_indicator(Indicator(
        "members.total", _("Members"), "count", total,
        rule_ref="DOMAIN §7 (党内统计公报: members at the end of the period); not for assessment: §4.2 (no 突击发展)",
        description=_("Members of the organization and its subtree on the last day of the period: the live count "
                      "for a period still running, the roll's history for a past one."),
        assessable=False))
