"""Aggregate: the ballots of the democratic assessment (民主测评) — online and paper, and the
ballot box they are kept in.

Rules (DOMAIN §6 无记名; §11 "anonymous ballots unlinkable to voters"): a ballot rates every
graded participant, the voter included; only the member themself votes, once, and only with a
vote; paper ballots never outnumber the members recorded as having handed one in; what is stored
says who voted (``Voted``) and what was voted (``Ballot``) but never links the two, nor a time
(random keys, marks in random order, the box shaken when the assessment ends).

Plain functions, keyword-only, actor first; each runs in one transaction, writes an audit row and
raises ``ValidationError`` with a message the user can act on. Permission (who may call which
function on which organization) is the POLICY table's: the views load through the scope and each
function asserts its actor first (``policy.authorize``, decisions.md 38); the rules after that
are the domain's.
"""
from __future__ import annotations

import random

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, policy

from ..models import AppraisalRound, Ballot, BallotMark, Grade, Participant, Stage, Voted
from ._common import _locked_round, _require_stage

_rng = random.SystemRandom()


def ballot_subjects(voter: Participant):
    """Whom a voter rates: every participant who is graded (not exempt), the voter included — the
    测评表 lists all members. Leaving the voter out would sign the ballot: the one name missing
    from an otherwise complete ballot is its voter's (§11 "anonymous ballots unlinkable to
    voters")."""
    return Participant.objects.filter(round_id=voter.round_id, exempt_basis="").order_by("id")


def has_voted(participant: Participant) -> bool:
    return Voted.objects.filter(round_id=participant.round_id, participant=participant).exists()


def cast_ballot(*, actor, voter: Participant, marks: dict[int, str]) -> None:
    """Cast a voter's anonymous 民主测评 ballot (DOMAIN §6 无记名; §11 "anonymous ballots
    unlinkable to voters").

    Only the member themself votes (no proxy), once (``Voted`` is unique per voter and round),
    and only a participant with a vote: full members whose rights are not restricted and who are
    not exempt ([cfg] probationary members too). The ballot rates every graded participant, the
    voter included (``ballot_subjects``).
    What is stored: a ``Voted`` row (who, not what, not when) and a ``Ballot`` with its marks
    (what, not who, not when: random keys, marks in random order). The audit row says a ballot
    was cast, never its content.
    """
    policy.authorize(actor, "appraisal_entry", "take_part", voter)
    if voter.member.user_id is None or voter.member.user_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the member themself casts their ballot."), code="not_self")
    if not voter.may_vote:
        raise ValidationError(_("%(m)s has no vote in the democratic assessment (probationary, exempt, or rights restricted).") % {
            "m": voter.name}, code="no_vote")
    subjects = {p.pk: p for p in ballot_subjects(voter)}
    if set(marks) != set(subjects):
        raise ValidationError(_("Rate every participant, yourself included: %(n)s on the ballot.") % {"n": len(subjects)}, code="incomplete_ballot")
    if any(g not in Grade.values for g in marks.values()):
        raise ValidationError(_("Choose one of 优秀, 合格, 基本合格, 不合格 for each participant."), code="bad_grade")
    with transaction.atomic():
        rnd = _locked_round(voter.round)
        _require_stage(rnd, Stage.ASSESSMENT)
        try:
            with transaction.atomic():
                Voted.objects.create(round=rnd, participant=voter)
        except IntegrityError:
            raise ValidationError(_("You have already cast your ballot in this round."), code="already_voted") from None
        _store_ballot(rnd, list(marks.items()))
        audit.record(actor=actor, action="appraisal.ballot_cast", obj=rnd, data={"round": rnd.pk})


def _store_ballot(rnd: AppraisalRound, items: list[tuple[int, str]], paper: bool = False) -> Ballot:
    b = Ballot.objects.create(round=rnd, paper=paper)
    _rng.shuffle(items)
    BallotMark.objects.bulk_create([BallotMark(ballot=b, subject_id=pid, grade=g) for pid, g in items])
    return b


def shuffle_ballots(rnd: AppraisalRound) -> int:
    """Rewrite the round's ballots in a random order with new random keys, so that not even the
    physical order of the rows follows the order of voting (called when the assessment ends)."""
    boxes: dict = {bid: (paper, []) for bid, paper in Ballot.objects.filter(round=rnd).values_list("pk", "paper")}
    for bid, pid, g in BallotMark.objects.filter(ballot__round=rnd).values_list("ballot_id", "subject_id", "grade"):
        boxes[bid][1].append((pid, g))
    Ballot.objects.filter(round=rnd).delete()
    shaken = list(boxes.values())
    _rng.shuffle(shaken)
    for paper, items in shaken:
        _store_ballot(rnd, items, paper=paper)
    return len(shaken)


def paper_counts(rnd: AppraisalRound) -> tuple[int, int]:
    """(members who handed in a paper ballot, paper ballots entered so far)."""
    return (Voted.objects.filter(round=rnd, paper=True).count(), Ballot.objects.filter(round=rnd, paper=True).count())


def mark_paper_voters(*, actor, round: AppraisalRound, voters: list[Participant]) -> int:  # noqa: A002
    """Record the members who put a paper ballot into the box at the meeting (DOMAIN §6: the
    assessment is held at the 党员大会, 无记名). Same rules as an online vote: a member with a vote,
    once (a member who voted online cannot also hand in paper). Only *that* they voted is stored;
    the paper ballots are entered afterwards, separately, in the box's order."""
    policy.authorize(actor, "appraisal", "manage", round)
    if not voters:
        raise ValidationError({"voters": [ValidationError(_("Tick the members who handed in a paper ballot."), code="no_voters")]})
    with transaction.atomic():
        rnd = _locked_round(round)
        _require_stage(rnd, Stage.ASSESSMENT)
        for v in voters:
            if v.round_id != rnd.pk or not v.may_vote:
                raise ValidationError(_("%(m)s has no vote in the democratic assessment (probationary, exempt, or rights restricted).") % {
                    "m": v.name}, code="no_vote")
            try:
                with transaction.atomic():
                    Voted.objects.create(round=rnd, participant=v, paper=True)
            except IntegrityError:
                raise ValidationError(_("%(m)s has already voted in this round.") % {"m": v.name}, code="already_voted") from None
        audit.record(actor=actor, action="appraisal.paper_voters", obj=rnd, data={"count": len(voters)})
        return len(voters)


def enter_paper_ballot(*, actor, round: AppraisalRound, marks: dict[int, str]) -> None:  # noqa: A002
    """Enter one paper ballot taken from the box: a grade for any graded participant (a person
    left blank on the paper is an abstention). Never more paper ballots than members recorded as
    having handed one in. Stored like an online ballot: no voter, no time."""
    policy.authorize(actor, "appraisal", "manage", round)
    marks = {pid: g for pid, g in marks.items() if g}
    if not marks:
        raise ValidationError(_("The ballot is empty: enter the grades written on it."), code="empty_ballot")
    if any(g not in Grade.values for g in marks.values()):
        raise ValidationError(_("Choose one of 优秀, 合格, 基本合格, 不合格 for each participant."), code="bad_grade")
    with transaction.atomic():
        rnd = _locked_round(round)
        _require_stage(rnd, Stage.ASSESSMENT)
        graded = set(Participant.objects.filter(round=rnd, exempt_basis="").values_list("pk", flat=True))
        if not set(marks) <= graded:
            raise ValidationError(_("Rate only the members appraised in this round."), code="not_a_subject")
        handed, entered = paper_counts(rnd)
        if entered >= handed:
            raise ValidationError(_("All %(n)s paper ballots handed in are entered; record who handed in more first."), code="all_paper_entered",
                                  params={"n": handed})
        _store_ballot(rnd, list(marks.items()), paper=True)
        audit.record(actor=actor, action="appraisal.paper_ballot", obj=rnd, data={"entered": entered + 1, "of": handed})
