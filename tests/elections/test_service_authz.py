"""The service half of the one authorization rule (decisions.md 38) for elections and terms: every
service asserts its actor against the POLICY row of its view (``election.manage`` for the
organization's own records, ``election.approve`` — strictly lower organizations — for the upper
organization's approvals and filings). An actor of a sibling organization (secretary2 of 西村 for
东村, the admin of 南镇 for 东镇's branches) is refused with ``not_permitted`` and nothing is
written — no election, term, seat, request, member position, audit row or message — while the
actor in scope succeeds."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core import policy
from dangjian.core.models import AuditEvent, Organization
from dangjian.elections import services as s
from dangjian.elections.models import Candidate, CommitteeMember, Election, Term, TermAdjustment
from dangjian.members.models import Member
from dangjian.members.services import create_member
from dangjian.notify.models import InboxMessage
from tests.authz import assert_refused_then_allowed
from tests.factories import member_data

TODAY = dt.date.today()
HELD = TODAY - dt.timedelta(days=1)


def state() -> tuple:
    """Everything the elections services write, so "nothing written" is one comparison."""
    return (
        list(Election.objects.order_by("pk").values_list("pk", "status")),
        list(Candidate.objects.order_by("pk").values_list("pk", "votes", "elected")),
        list(Term.objects.order_by("pk").values_list("pk", "ends_on", "closed_on")),
        list(CommitteeMember.objects.order_by("pk").values_list("pk", "approved_on", "filed_on")),
        list(TermAdjustment.objects.order_by("pk").values_list("pk", "status")),
        list(Organization.objects.order_by("pk").values_list("pk", "term_started_on", "term_ends_on")),
        list(Member.objects.order_by("pk").values_list("pk", "position")),
        AuditEvent.objects.count(), InboxMessage.objects.count(),
    )


def _voters(w) -> list[Member]:
    extra = [create_member(actor=None, org=w.b1, data=member_data(name=f"东村党员{i}")) for i in range(6)]
    return [w.m_secretary, w.m_committee, w.m_member, w.m_group] + extra


def _election(w, actor=None) -> Election:
    return s.create_election(actor=actor, org=w.b1, held_on=HELD, seats=3, present=10, candidates=_voters(w)[:4])


def _recorded(w) -> Election:
    e = _election(w)
    a, b, c, d = e.candidates.order_by("pk")
    s.record_result(actor=None, election=e, votes={a.pk: 10, b.pk: 9, c.pk: 8, d.pk: 1}, positions={a.pk: "secretary"})
    return e


def _create_election(w):
    voters = _voters(w)
    return lambda actor: s.create_election(actor=actor, org=w.b1, held_on=HELD, seats=3, present=10, candidates=voters[:4])


def _record_result(w):
    e = _election(w)
    votes = dict(zip(e.candidates.order_by("pk").values_list("pk", flat=True), (10, 9, 8, 1), strict=True))
    return lambda actor: s.record_result(actor=actor, election=e, votes=votes, positions={})


def _approve_officer(w):
    seat = CommitteeMember.objects.get(term__election=_recorded(w), position="secretary")
    return lambda actor: s.approve_officer(actor=actor, seat=seat, on=TODAY)


def _file_committee(w):
    _recorded(w)
    return lambda actor: s.file_committee(actor=actor, org=w.b1, filed_on=TODAY)


def _request_adjustment(w):
    org = Organization.objects.get(pk=w.b1.pk)
    new_end = org.term_ends_on + dt.timedelta(days=30)
    return lambda actor: s.request_adjustment(actor=actor, org=org, kind="postpone", new_ends_on=new_end, reason="村两委换届统一安排")


def _decide_adjustment(w):
    org = Organization.objects.get(pk=w.b1.pk)
    a = s.request_adjustment(actor=None, org=org, kind="postpone", new_ends_on=org.term_ends_on + dt.timedelta(days=30),
                             reason="村两委换届统一安排")
    return lambda actor: s.decide_adjustment(actor=actor, adjustment=a, approve=True)


# (service, set-up returning call(actor), the actor in scope, the refused actor) — POLICY row in the comment
CASES = [
    ("create_election", _create_election, "secretary", "secretary2"),             # election manage (b1)
    ("create_election_town", _create_election, "town_admin", "town2_admin"),       # election manage (b1 under t1)
    ("record_result", _record_result, "secretary", "secretary2"),                  # election manage (the election)
    ("approve_officer", _approve_officer, "town_admin", "town2_admin"),            # election approve (the seat)
    ("approve_officer_not_own", _approve_officer, "town_admin", "secretary"),      # approve: not the branch itself
    ("file_committee", _file_committee, "town_admin", "town2_admin"),              # election approve (b1)
    ("request_adjustment", _request_adjustment, "secretary", "secretary2"),        # election manage (b1)
    ("decide_adjustment", _decide_adjustment, "town_admin", "town2_admin"),        # election approve (the request)
    ("decide_adjustment_not_own", _decide_adjustment, "county_admin", "secretary"),
]


@pytest.mark.parametrize(("setup", "insider", "sibling"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_sibling_is_refused_and_nothing_is_written(world, setup, insider, sibling):
    call = setup(world)
    assert_refused_then_allowed(call, world.users[sibling], world.users[insider], state)


def test_the_refusal_comes_before_the_domain_rules(world):
    """"You may not act here" (403) is never mixed with "this cannot be done now": a sibling asking
    for an election with no candidates, in the future, is refused ``not_permitted``."""
    with pytest.raises(policy.NotPermitted):
        s.create_election(actor=world.users["secretary2"], org=world.b1, held_on=TODAY + dt.timedelta(days=9), seats=0,
                          present=None, candidates=[])
    assert not Election.objects.exists()
