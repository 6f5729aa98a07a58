"""Rights restrictions (RightsRestriction: 留党察看, 留置) on the member record — 党章 art. 40;
docs/decisions.md §15. They take away the vote, the candidacy and the right to introduce an
applicant; elections, the meeting records, member development and the honour roll ask through
:func:`restrictions_during` / :func:`restricted_ids`. Recorded and restored on the member page,
audited; they follow the member when they move (:func:`.records.move_member`)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from dangjian.core import audit, policy

from ..models import Member, RestrictionKind, RightsRestriction

# -- rights restrictions (留党察看, 留置) ----------------------------------------------------------

def restrictions_during(member_ids, first: dt.date, last: dt.date, kinds=None):
    """The rights restrictions of these members in force on some day between ``first`` and
    ``last`` (started by ``last``, not ended before ``first``), earliest first."""
    qs = RightsRestriction.objects.filter(member_id__in=member_ids, starts_on__lte=last).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first))
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("starts_on", "id")


def restricted_ids(member_ids, on: dt.date, kinds=None) -> set[int]:
    """Members among ``member_ids`` whose rights are restricted on ``on`` (a restriction in force:
    started on or before, not ended before). ``kinds`` narrows it (e.g. only 留党察看)."""
    return set(restrictions_during(member_ids, on, on, kinds).values_list("member_id", flat=True))


def add_restriction(*, actor, member: Member, kind: str, starts_on: dt.date, ends_on: dt.date | None = None,
                    note: str = ""):
    """Record that a member's rights are restricted from ``starts_on`` (until ``ends_on``, or until
    a later entry ends it). 留党察看 lasts one or two years (党章 art. 40): the end is optional
    because the organization decides the restoration; it is entered when decided. Row
    ``member.change`` on the member (the member page; the elections app's restriction form
    checks ``election.manage``, held by the same roles)."""
    policy.authorize(actor, "member", "change", member)
    if kind not in RestrictionKind.values:
        raise ValidationError({"kind": [ValidationError(_("Choose a kind of restriction."), code="no_kind")]})
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": [ValidationError(_("The end lies before the start."), code="ends_before_start")]})
    with transaction.atomic():
        r = RightsRestriction.objects.create(member=member, org_path=member.org_path, kind=kind, starts_on=starts_on,
                                             ends_on=ends_on, note=(note or "")[:200],
                                             recorded_by=actor if getattr(actor, "pk", None) else None)
        audit.record(actor=actor, action="member.restriction", obj=r, org_path=r.org_path,
                     data={"member": member.pk, "kind": kind, "from": starts_on, "until": ends_on})
        return r


def end_restriction(*, actor, restriction, ends_on: dt.date, note: str = ""):
    """Enter the restoration of rights decided by the organization: the restriction is in force up
    to and including ``ends_on``. Audited; the start is never changed (a wrong entry is ended the
    day it started and a new one recorded). Row ``member.change`` on the restriction (it is seen
    and changed where its member is)."""
    policy.authorize(actor, "member", "change", restriction)
    with transaction.atomic():
        r = RightsRestriction.objects.select_for_update().get(pk=restriction.pk)
        if ends_on < r.starts_on:
            raise ValidationError({"ends_on": [ValidationError(_("The end lies before the start."), code="ends_before_start")]})
        previous = r.ends_on
        r.ends_on = ends_on
        if note:
            r.note = f"{r.note}；{note}"[:200] if r.note else note[:200]
        r.save(update_fields=["ends_on", "note"])
        audit.record(actor=actor, action="member.restriction_end", obj=r, org_path=r.org_path,
                     data={"member": r.member_id, "until": ends_on, "previous_until": previous})
        return r
