"""Supervision's monitor for the registry of :mod:`dangjian.core.indicators` (issue 9 item 6).

``supervision.overdue_meetings`` — required org-life meetings (三会一课 etc., as configured on the
meeting types) that are OVERDUE for an organization of the subtree, by the completion engine of
:mod:`.completion` (DOMAIN §1.1, §11 "period compliance"; rule version ``conf.RULE_VERSION``):
held = minutes signed off, Beijing-time periods, applicability (committee, Party groups, founding
and dissolution) and each 党小组 for the branch's 党小组会 row — nothing is re-derived here.

Which period: the period of each type's frequency that ended last before ``today`` — last month
for monthly types, last quarter for quarterly ones, last year for yearly ones. The period that
contains ``today`` cannot be overdue yet (it is *due* until it ends), and older shortfalls are on
the completion calendar. ``due`` is the period's last day; oldest first, then by organization.

Queries: the engine's four per calendar year loaded (organizations, member counts, held meetings
per organization × type × month, the required types) — the year before ``today`` always (yearly
types), and ``today``'s year too unless it is January (last month and last quarter then fall in
the year before): 4 or 8 queries, whatever the subtree's size.
"""
from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import completion as C


def _previous(frequency: str, today: dt.date) -> C.Period:
    """The period of ``frequency`` that ended last before ``today`` (Beijing calendar)."""
    if frequency == "month":
        y, m = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return C.Period("month", y, m)
    if frequency == "quarter":
        q = (today.month - 1) // 3  # the current quarter's index minus one
        return C.Period("quarter", today.year, q) if q else C.Period("quarter", today.year - 1, 4)
    return C.Period("year", today.year - 1, 1)


def overdue_meetings(*, org, today: dt.date):
    from dangjian.core.indicators import Finding

    now = dt.datetime.combine(today, dt.time(), C.TZ)
    targets = {f: _previous(f, today) for f in ("month", "quarter", "year")}
    by_year: dict[int, dict[str, C.Period]] = {}
    for f, p in targets.items():
        by_year.setdefault(p.year, {})[f] = p
    found = []
    for year, periods in sorted(by_year.items()):
        st = C.load_subtree(org, year)
        types = [t for t in st.types if t.frequency in periods]
        if not types:
            continue
        for org_id in st.evaluated:
            f = st.facts[org_id]
            for row in C.evaluate_org(st, org_id, now, types):
                target = periods[row.type.frequency]
                for cell in row.cells:
                    if cell.period != target or cell.status != C.OVERDUE:
                        continue
                    detail = _("%(type)s not held in %(period)s (at least %(n)s required).") % {
                        "type": row.type.display, "period": target.label, "n": row.type.minimum}
                    if cell.note:
                        detail = f"{detail} {cell.note}"
                    last_day = (target.end - dt.timedelta(days=1)).date()
                    url = f"{reverse('supervision-calendar', args=[org_id])}?year={target.year}"
                    found.append(((last_day, f.path, row.type.order, row.type.id), Finding(f.path, f.name, detail, url, last_day)))
    found.sort(key=lambda r: r[0])
    return [r[1] for r in found]


def register() -> None:
    from dangjian.core.indicators import Monitor, register_monitor

    register_monitor(Monitor(
        "supervision.overdue_meetings", gettext_lazy("Required meetings overdue"), "warning", overdue_meetings,
        rule_ref="支部工作条例 arts. 11–17, 教育管理条例 arts. 16–18; DOMAIN §1.1, §11 三会一课 & org life",
        description=gettext_lazy("Required meetings not held in the last ended month, quarter or year, per "
                                 "organization of the subtree, as the completion calendar counts them.")))
