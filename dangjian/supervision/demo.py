"""Demo data of supervision: last month's bulletin of the demo county and its demo town, so the
bulletin pages are not empty (org life's demo, which runs first, created the past meetings)."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .completion import TZ
from .services import generate_bulletin


def seed(ctx) -> None:
    today = ctx.today or timezone.localdate()
    now = timezone.make_aware(dt.datetime(today.year, today.month, today.day, 12), TZ)
    first = dt.date(today.year, today.month, 1)
    month = (first - dt.timedelta(days=1)).replace(day=1)
    admin = None
    for key in ("county", "town"):
        org = ctx.orgs.get(key)
        if org is None:
            continue
        b, _written = generate_bulletin(publisher=org, month=month, actor=admin, now=now)
        ctx.say(f"supervision: {month:%Y-%m} bulletin of {org.name}: {b.totals.get('branches', 0)} organizations graded")
