"""Heart-to-heart talks (谈心谈话): recording them and the yearly coverage of the required pairs.

Rule (支部工作条例 art. 19; DOMAIN §1.1 and §11 "谈心谈话 each required pair ≥1 per year"): talks
between committee members, between committee members and members, and among members, each pair
at least once a year. What the platform checks as *required* (the common reading; all pairs of
members of a large branch would be thousands): every pair of committee members, and every other
member with at least one committee member. Talks among ordinary members are recorded and shown,
not required.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.errors import collected, refusal
from dangjian.members.api import COMMITTEE_POSITIONS

from . import selectors
from .models import HeartTalk


def record_talk(*, actor, org, held_on: dt.date, first, second, subject: str) -> HeartTalk:
    """Record one talk between two different members of ``org`` (its subtree; not flowing-in
    members of other branches, whose talks belong to their home branch) on a past day."""
    subject = (subject or "").strip()
    errors = []
    if first is None or second is None:
        errors.append(refusal("no_member", _("Choose the two members who talked."), field="second"))
    elif first.pk == second.pk:
        errors.append(refusal("same_member", _("A talk is between two different members."), field="second"))
    else:
        members = set(selectors.own_members_of(org).filter(pk__in=[first.pk, second.pk]).values_list("pk", flat=True))
        outside = [m.name for m in (first, second) if m.pk not in members]
        if outside:
            errors.append(refusal("not_in_org", _("Not members of %(org)s: %(names)s.") % {"org": org.name, "names": "、".join(outside)},
                                  field="second"))
    if not held_on or held_on > timezone.localdate():
        errors.append(refusal("bad_date", _("Enter the day the talk took place (not in the future)."), field="held_on"))
    if not subject:
        errors.append(refusal("no_subject", _("Give the subject in a few words (not what was said)."), field="subject"))
    if errors:
        raise collected(errors)
    with transaction.atomic():
        talk = HeartTalk.objects.create(org=org, held_on=held_on, first=first, second=second,
                                        subject=subject[:200], recorded_by=actor if getattr(actor, "pk", None) else None)
        audit.record(actor=actor, action="orglife.heart_talk", obj=talk, org_path=org.path,
                     data={"held_on": held_on, "members": sorted([first.pk, second.pk])})
    return talk


@dataclass
class Coverage:
    year: int
    committee: list  # committee members (Member)
    pairs: list  # (a, b, done: bool) for every pair of committee members
    members_without: list  # members outside the committee with no talk with a committee member
    members_total: int
    talks: int

    @property
    def pairs_done(self) -> int:
        return sum(1 for *_ab, done in self.pairs if done)


def coverage(org, year: int) -> Coverage:
    """The required pairs of ``year`` and which were talked (module docstring)."""
    members = list(selectors.own_members_of(org))
    committee = [m for m in members if m.position in {str(p) for p in COMMITTEE_POSITIONS}]
    committee_ids = {m.pk for m in committee}
    talks = HeartTalk.objects.filter(org_path__startswith=org.path, held_on__year=year)
    done = {frozenset(p) for p in talks.values_list("first_id", "second_id")}
    pairs = [(a, b, frozenset((a.pk, b.pk)) in done) for i, a in enumerate(committee) for b in committee[i + 1:]]
    talked_with_committee = {x for pair in done if pair & committee_ids for x in pair}
    without = [m for m in members if m.pk not in committee_ids and m.pk not in talked_with_committee]
    return Coverage(year, committee, pairs, without, len(members), talks.count())


def talk_log(org, year: int):
    return (HeartTalk.objects.filter(org_path__startswith=org.path, held_on__year=year)
            .select_related("first", "second").order_by("-held_on", "-id"))
