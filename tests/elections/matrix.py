"""Authz-matrix targets of the elections app (see tests/core/test_authz_matrix.py)."""
from __future__ import annotations

import datetime as dt


def make_election(world, org, member):
    from dangjian.elections.models import Candidate, Election

    e = Election.objects.create(org=org, org_path=org.path, held_on=dt.date(2026, 3, 1), seats=1, entitled=5, present=5)
    Candidate.objects.create(election=e, member=member or world.m_b4[0])
    return e


def make_adjustment(world, org, member):
    from dangjian.elections.models import TermAdjustment

    return TermAdjustment.objects.create(org=org, org_path=org.path, kind="postpone", old_ends_on=dt.date(2027, 3, 1),
                                         new_ends_on=dt.date(2027, 9, 1), reason="matrix")


def make_seat(world, org, member):
    from dangjian.elections.models import CommitteeMember, Term

    t = Term.objects.create(org=org, org_path=org.path, number=1, started_on=dt.date(2024, 1, 1),
                            ends_on=dt.date(2029, 1, 1), planned_ends_on=dt.date(2029, 1, 1))
    return CommitteeMember.objects.create(term=t, org=org, org_path=org.path, member=member or world.m_b4[0],
                                          position="secretary", started_on=dt.date(2024, 1, 1))


TARGETS = {"Election": make_election, "TermAdjustment": make_adjustment, "CommitteeMember": make_seat}
