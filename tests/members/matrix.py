"""Authz-matrix targets of the members app's own object routes (tests/core/test_authz_matrix.py)."""
from __future__ import annotations

import datetime as dt


def _restriction(world, org, member):
    from dangjian.members import services
    from dangjian.members.models import Member

    member = member or Member.objects.filter(org_path__startswith=org.path).order_by("id").first()
    return services.add_restriction(actor=None, member=member, kind="probation", starts_on=dt.date(2026, 1, 5))


TARGETS = {"RightsRestriction": _restriction}
