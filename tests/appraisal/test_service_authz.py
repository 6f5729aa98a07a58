"""The services assert their actor (decisions.md 38): an actor of a sibling organization, or another
member for a participant's own part, is refused with ``not_permitted`` and nothing is written; the
actor the POLICY row allows succeeds. Each case sets the round up with ``actor=None`` (the system)."""
from __future__ import annotations

import inspect

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from dangjian.appraisal import services
from dangjian.appraisal.models import AppraisalRound, DispositionCase, Stage
from dangjian.core import policy
from dangjian.core.errors import codes
from dangjian.core.models import AuditEvent
from tests.appraisal.conftest import close_with_unqualified, part, walk_to
from tests.authz import assert_refused_then_allowed

pytestmark = pytest.mark.django_db


def _round(w, stage=Stage.SELF):
    rnd = services.open_round(actor=None, org=w.b1, year=2026)
    return walk_to(rnd, stage, None)


def _paper_voter(w, rnd):
    services.mark_paper_voters(actor=None, round=rnd, voters=[part(rnd, w.m_secretary)])
    return rnd


def _graded(w, rnd):
    services.set_grades(actor=None, round=rnd, grades={p.pk: ("qualified", "") for p in rnd.participants.all()})
    return rnd


def _full_ballot(rnd, voter):
    return {s.pk: "qualified" for s in services.ballot_subjects(voter)}


# name: (set up -> target, call(actor, w, target), refused actors, allowed actor)
CASES = {
    "open_round": (lambda w: w.b1, lambda a, w, org: services.open_round(actor=a, org=org, year=2026),
                   ("secretary2", "town2_admin", "member"), "secretary"),
    "advance": (lambda w: _round(w), lambda a, w, r: services.advance(actor=a, round=r, to=Stage.MUTUAL),
                ("secretary2", "town2_admin", "member"), "secretary"),
    "link_meeting": (lambda w: _round(w), lambda a, w, r: services.link_meeting(actor=a, round=r, meeting=None),
                     ("secretary2", "town2_admin"), "town_admin"),
    "remind": (lambda w: _round(w), lambda a, w, r: services.remind(actor=a, round=r),
               ("secretary2", "town2_admin", "member"), "secretary"),
    "mark_paper_voters": (lambda w: _round(w, Stage.ASSESSMENT),
                          lambda a, w, r: services.mark_paper_voters(actor=a, round=r, voters=[part(r, w.m_secretary)]),
                          ("secretary2", "town2_admin", "member"), "committee"),
    "enter_paper_ballot": (lambda w: _paper_voter(w, _round(w, Stage.ASSESSMENT)),
                           lambda a, w, r: services.enter_paper_ballot(actor=a, round=r, marks={part(r, w.m_member).pk: "qualified"}),
                           ("secretary2", "town2_admin"), "secretary"),
    "set_grades": (lambda w: _round(w, Stage.GRADING),
                   lambda a, w, r: services.set_grades(actor=a, round=r, grades={part(r, w.m_member).pk: ("qualified", "")}),
                   ("secretary2", "town2_admin", "member"), "secretary"),
    "close_round": (lambda w: _graded(w, _round(w, Stage.GRADING)), lambda a, w, r: services.close_round(actor=a, round=r),
                    ("secretary2", "town2_admin"), "county_admin"),
    "write_self_appraisal": (lambda w: part(_round(w), w.m_member),
                             lambda a, w, p: services.write_self_appraisal(actor=a, participant=p, text="认真学习，按时交纳党费。"),
                             ("secretary2", "town2_admin", "grouper"), "member"),
    "write_comment": (lambda w: part(_round(w, Stage.MUTUAL), w.m_member),
                      lambda a, w, p: services.write_comment(actor=a, author=p, subject=part(p.round, w.m_secretary), text="带头作用好"),
                      ("grouper", "secretary", "secretary2"), "member"),
    "write_comments": (lambda w: part(_round(w, Stage.MUTUAL), w.m_member),
                       lambda a, w, p: services.write_comments(actor=a, author=p, comments={part(p.round, w.m_secretary).pk: "带头作用好"}),
                       ("grouper", "secretary", "secretary2"), "member"),
    "cast_ballot": (lambda w: part(_round(w, Stage.ASSESSMENT), w.m_member),
                    lambda a, w, p: services.cast_ballot(actor=a, voter=p, marks=_full_ballot(p.round, p)),
                    ("grouper", "secretary", "town_admin"), "member"),
    "decide_case": (lambda w: close_with_unqualified(_round(w, Stage.GRADING), w.m_member),
                    lambda a, w, c: services.decide_case(actor=a, case=c, outcome="education", note="支委会决定批评教育"),
                    ("secretary2", "town2_admin", "member"), "secretary"),
}


def _written():
    """Every appraisal row with all its values, the audit trail's and the inbox's size."""
    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in apps.get_app_config("appraisal").get_models()}
    return rows, AuditEvent.objects.count(), apps.get_model("notify", "InboxMessage").objects.count()


@pytest.mark.parametrize("name", sorted(CASES))
def test_out_of_scope_actor_is_refused_and_nothing_is_written(voters, name):
    setup, call, refused, allowed = CASES[name]
    target = setup(voters)
    assert_refused_then_allowed(lambda actor: call(actor, voters, target), [voters.users[w] for w in refused],
                                voters.users[allowed], _written)


def test_every_service_with_an_actor_is_covered():
    def takes_actor(fn):
        kwonly = [p for p in inspect.signature(fn).parameters.values() if p.kind == p.KEYWORD_ONLY]
        return bool(kwonly) and kwonly[0].name == "actor"

    public = {n for n in services.__all__ if not n.startswith("_") and callable(getattr(services, n))}
    assert {n for n in public if takes_actor(getattr(services, n))} == set(CASES)


def test_the_refusal_comes_before_the_domain_rule(voters):
    """A closed round refuses everyone a change (``round_closed``), but a sibling's secretary hears
    first that they may not act here at all."""
    rnd = _round(voters, Stage.GRADING)
    close_with_unqualified(rnd, voters.m_member)
    rnd = AppraisalRound.objects.get(pk=rnd.pk)
    with pytest.raises(policy.NotPermitted):
        services.link_meeting(actor=voters.users["secretary2"], round=rnd, meeting=None)
    with pytest.raises(ValidationError) as exc:
        services.link_meeting(actor=voters.users["secretary"], round=rnd, meeting=None)
    assert codes(exc.value) == ["round_closed"]
    assert DispositionCase.objects.filter(round=rnd).count() == 1
