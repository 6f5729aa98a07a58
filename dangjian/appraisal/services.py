"""Rules of the democratic appraisal of members (民主评议党员) — DOMAIN §6 and §11 "Democratic
appraisal"; rule version: ``conf.RULE_VERSION``.

Plain functions, keyword-only, actor first; each runs in one transaction, writes an audit row and
raises ``ValidationError`` with a message the user can act on. Permission (who may call which
function on which organization) is checked by the views through the POLICY table; the rules
here are the domain's: stage order, who takes part and votes, one ballot each, the 优秀 share.
"""
from __future__ import annotations

import datetime as dt
import math
import random

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.dates import same_day_months_later
from dangjian.core.errors import collected
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgKind, OrgStatus
from dangjian.members.api import Member, MemberStatus, RecordState

from .conf import RULE_VERSION, cfg, excellent_share
from .models import (
    STAGE_ORDER,
    AppraisalRound,
    Ballot,
    BallotMark,
    CaseStatus,
    DispositionCase,
    Grade,
    MutualComment,
    Outcome,
    Participant,
    Stage,
    Voted,
)

ROUND_KINDS = MEMBER_HOLDING_KINDS - {OrgKind.PARTY_GROUP}
_rng = random.SystemRandom()


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


def _locked_round(rnd: AppraisalRound) -> AppraisalRound:
    return AppraisalRound.objects.select_for_update().get(pk=rnd.pk)


def _require_stage(rnd: AppraisalRound, stage: str) -> None:
    if rnd.stage == Stage.CLOSED:
        raise ValidationError(_("The appraisal round is closed: it can no longer be changed."), code="round_closed")
    if rnd.stage != stage:
        raise ValidationError(_("Not possible at this stage: the round is at “%(now)s”, this needs “%(need)s”.") % {
            "now": Stage(rnd.stage).label, "need": Stage(stage).label}, code="wrong_stage")


def excellent_limit(graded: int) -> int:
    """The most 优秀 grades allowed among ``graded`` participants: ⌊n × share⌋ ([cfg] ⅓, DOMAIN §6)."""
    return math.floor(graded * excellent_share())


def members_in(org: Organization):
    """Active members of the branch and its Party groups (by path)."""
    return Member.objects.filter(org_path__startswith=org.path, state=RecordState.ACTIVE).order_by("org_path", "name", "id")


def appraisal_meetings(org: Organization):
    """Meetings of the built-in type 民主评议党员 (code "appraisal", owner_path "") of this organization."""
    from dangjian.orglife.api import Meeting

    return Meeting.objects.filter(org=org, type__code="appraisal", type__owner_path="").order_by("-starts_at")


def open_round(*, actor, org: Organization, year: int, meeting=None, on: dt.date | None = None) -> AppraisalRound:
    """Open the year's appraisal of a branch (DOMAIN §6: once a year; 教育管理条例 art. 18).

    Participants are the active members of the branch's subtree on ``on``: probationary members
    take part and are graded; members exempt by rule (orglife ``Exemption`` in force, art. 23) are
    listed as exempt, not graded; members whose rights are restricted (留党察看, 留置) take part but
    cast no ballot (DOMAIN §1.2). One round per organization and year, and none overlapping a
    round of an organization above or below in the same year (a member is appraised once).
    """
    from dangjian.members.api import restricted_ids
    from dangjian.orglife.api import exempt_member_ids

    on = on or timezone.localdate()
    if org.kind not in ROUND_KINDS or org.status != OrgStatus.ACTIVE:
        raise ValidationError(_("A democratic appraisal is held by an active branch (or general branch, "
                                "primary committee) that holds members."), code="not_a_branch")
    if not (on.year - cfg("years_back") <= year <= on.year):
        raise ValidationError({"year": [ValidationError(_("Choose this year or last year."), code="year_out_of_range")]})
    if meeting is not None:
        if not appraisal_meetings(org).filter(pk=meeting.pk).exists():
            raise ValidationError({"meeting": [ValidationError(_("Choose a 民主评议党员 meeting of this organization."), code="not_appraisal_meeting")]})
        if timezone.localtime(meeting.starts_at).year != year:
            raise ValidationError({"meeting": [ValidationError(_("The meeting lies in another year."), code="meeting_other_year")]})
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=org.pk).first()
        if AppraisalRound.objects.filter(org=org, year=year).exists():
            raise ValidationError({"year": [ValidationError(_("%(org)s already has an appraisal round for %(y)s.") % {"org": org.name, "y": year}, code="round_exists")]})
        overlap = (AppraisalRound.objects.filter(year=year, org_path__startswith=org.path)
                   | AppraisalRound.objects.filter(year=year, org_path__in=_ancestor_paths(org))).first()
        if overlap is not None:
            raise ValidationError(_("%(org)s already appraises these members in %(y)s: a member is appraised once a year.") % {
                "org": overlap.org.name, "y": year}, code="overlapping_round")
        members = list(members_in(org))
        if not members:
            raise ValidationError(_("The organization has no active members to appraise."), code="no_members")
        ids = [m.pk for m in members]
        exempt = exempt_member_ids(ids, on)
        restricted = restricted_ids(ids, on)
        probationary_vote = bool(cfg("probationary_vote"))
        rnd = AppraisalRound.objects.create(org=org, year=year, opened_on=on, meeting=meeting,
                                            rule_version=RULE_VERSION, opened_by=_uid(actor))
        rows = []
        for m in members:
            prob = m.status == MemberStatus.PROBATIONARY
            ex = exempt.get(m.pk, "")
            rows.append(Participant(round=rnd, member=m, name=m.name, probationary=prob,
                                    exempt_basis=ex, restricted=m.pk in restricted,
                                    may_vote=not ex and m.pk not in restricted and (not prob or probationary_vote)))
        Participant.objects.bulk_create(rows)
        audit.record(actor=actor, action="appraisal.open", obj=rnd, data={
            "year": year, "participants": len(rows), "exempt": len(exempt), "restricted": len(restricted),
            "meeting": getattr(meeting, "pk", None), "rule_version": RULE_VERSION})
        _notify_participants(rnd, "appraisal.self_open", actor)
        return rnd


def _ancestor_paths(org: Organization) -> list[str]:
    out, o = [], org.parent
    while o is not None:
        out.append(o.path)
        o = o.parent
    return out


def _notify_participants(rnd: AppraisalRound, kind: str, actor, voters_only: bool = False) -> int:
    from dangjian.notify.api import notify

    qs = Participant.objects.filter(round=rnd, exempt_basis="", member__user__isnull=False)
    if voters_only:
        qs = qs.filter(may_vote=True)
    members = [p.member for p in qs.select_related("member")]
    if not members:
        return 0
    return notify(recipients=members, kind=kind, channels=("inbox",), org=rnd.org, actor=actor,
                  context={"org": rnd.org.name, "year": rnd.year, "round_id": rnd.pk})


def write_self_appraisal(*, actor, participant: Participant, text: str) -> Participant:
    """Record a participant's self-appraisal (自我评议, DOMAIN §6) during the self-appraisal stage —
    by the member through their own login, or by the secretary on their behalf (marked so)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [ValidationError(_("Write the self-appraisal."), code="no_text")]})
    if len(text) > 3000:
        raise ValidationError({"text": [ValidationError(_("At most 3000 characters."), code="too_long")]})
    with transaction.atomic():
        rnd = _locked_round(participant.round)
        _require_stage(rnd, Stage.SELF)
        if participant.exempt:
            raise ValidationError(_("%(m)s is exempt by rule and is not appraised.") % {"m": participant.name}, code="exempt")
        proxy = participant.member.user_id is None or participant.member.user_id != getattr(actor, "pk", None)
        participant.self_text, participant.self_at, participant.self_by = text, timezone.now(), _uid(actor)
        participant.self_by_proxy = proxy
        participant.save(update_fields=["self_text", "self_at", "self_by", "self_by_proxy"])
        audit.record(actor=actor, action="appraisal.self", obj=participant,
                     data={"round": rnd.pk, "member": participant.member_id, "on_behalf": proxy})
        return participant


def advance(*, actor, round: AppraisalRound, to: str) -> AppraisalRound:  # noqa: A002 — the domain's word
    """Move the round to its next stage (DOMAIN §6: self → mutual → assessment → grading → closed);
    any other transition is refused. Opening the assessment tells the voters; ending it shakes
    the ballot box (rows rewritten in random order); closing is :func:`close_round`."""
    if to == Stage.CLOSED:
        return close_round(actor=actor, round=round)
    with transaction.atomic():
        rnd = _locked_round(round)
        if rnd.stage == Stage.CLOSED:
            raise ValidationError(_("The appraisal round is closed: it can no longer be changed."), code="round_closed")
        if to not in STAGE_ORDER or rnd.next_stage != to:
            raise ValidationError(_("Stages follow one another: after “%(now)s” comes “%(next)s”.") % {
                "now": Stage(rnd.stage).label, "next": Stage(rnd.next_stage).label}, code="stage_order")
        before = rnd.stage
        if before == Stage.ASSESSMENT:
            shuffle_ballots(rnd)
        rnd.stage = to
        rnd.save(update_fields=["stage"])
        audit.record(actor=actor, action="appraisal.stage", obj=rnd, data={"from": before, "to": to})
        if to == Stage.ASSESSMENT:
            _notify_participants(rnd, "appraisal.assessment_open", actor, voters_only=True)
        round.stage = rnd.stage
        return rnd


def write_comment(*, actor, author: Participant, subject: Participant, text: str) -> MutualComment:
    """Mutual appraisal (相互评议, DOMAIN §6): a short, named comment by one participant about
    another, during the mutual stage; optional per pair, one per author and subject (writing again
    replaces it)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [ValidationError(_("Write the comment."), code="no_text")]})
    if len(text) > 500:
        raise ValidationError({"text": [ValidationError(_("At most 500 characters."), code="too_long")]})
    if author.round_id != subject.round_id or author.pk == subject.pk:
        raise ValidationError(_("Comment on another participant of the same round."), code="not_a_subject")
    if author.exempt or subject.exempt:
        raise ValidationError(_("Members exempt by rule take no part in the mutual appraisal."), code="exempt")
    with transaction.atomic():
        rnd = _locked_round(author.round)
        _require_stage(rnd, Stage.MUTUAL)
        now = timezone.now()
        c, created = MutualComment.objects.update_or_create(
            author=author, subject=subject,
            defaults={"round": rnd, "org_path": rnd.org_path, "text": text, "updated_at": now},
            create_defaults={"round": rnd, "org_path": rnd.org_path, "text": text, "created_at": now, "updated_at": now})
        audit.record(actor=actor, action="appraisal.comment", obj=c,
                     data={"round": rnd.pk, "author": author.member_id, "subject": subject.member_id, "new": created})
        return c


def ballot_subjects(voter: Participant):
    """Whom a voter rates: every participant who is graded (not exempt), the voter included — the
    测评表 lists all members. Leaving the voter out would sign the ballot: the one name missing
    from an otherwise complete ballot is its voter's (§11 "anonymous ballots unlinkable to
    voters")."""
    return Participant.objects.filter(round_id=voter.round_id, exempt_basis="").order_by("id")


def comment_subjects(author: Participant):
    """Whom an author may comment on in the mutual appraisal: every other graded participant."""
    return ballot_subjects(author).exclude(pk=author.pk)


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


def set_grades(*, actor, round: AppraisalRound, grades: dict[int, tuple[str, str]]) -> int:  # noqa: A002
    """The branch committee's proposed grades (DOMAIN §6: 支委会 or 党员大会 proposes the grade from
    the assessment and daily performance), entered by the secretary during the grading stage.

    ``grades``: participant id → (grade or "" for not yet graded, reason). Refused: grading an
    exempt member; 不合格 without a written reason; more 优秀 than ⌊⅓ × graded participants⌋
    ([cfg] ``excellent_max_share``; DOMAIN §6 "normally ≤1/3", §11 [block]). Returns the number
    of grades changed.
    """
    with transaction.atomic():
        rnd = _locked_round(round)
        _require_stage(rnd, Stage.GRADING)
        parts = {p.pk: p for p in Participant.objects.filter(round=rnd)}
        errors = []
        for pid, (grade, reason) in grades.items():
            p = parts.get(pid)
            if p is None:
                raise ValidationError(_("Unknown participant."), code="unknown_participant")
            if grade and grade not in Grade.values:
                errors.append(ValidationError(_("%(m)s: choose a grade.") % {"m": p.name}, code="bad_grade"))
            if grade and p.exempt:
                errors.append(ValidationError(_("%(m)s is exempt by rule and is not graded.") % {"m": p.name}, code="exempt"))
            if grade == Grade.UNQUALIFIED and not (reason or "").strip():
                errors.append(ValidationError(_("%(m)s: a grade of 不合格 needs a written reason.") % {"m": p.name}, code="no_reason"))
        if errors:
            raise collected(errors)
        final = {pid: (grades[pid][0] if pid in grades else p.grade) for pid, p in parts.items()}
        graded_total = sum(1 for p in parts.values() if not p.exempt)
        excellent = sum(1 for g in final.values() if g == Grade.EXCELLENT)
        limit = excellent_limit(graded_total)
        if excellent > limit:
            raise ValidationError(_("优秀 is limited to %(share)s of the members graded: at most %(limit)s of %(n)s; "
                                    "%(k)s proposed. Lower %(over)s of them."), code="too_many_excellent", params={
                "share": str(excellent_share()), "limit": limit, "n": graded_total, "k": excellent, "over": excellent - limit})
        changed, now = 0, timezone.now()
        for pid, (grade, reason) in grades.items():
            p = parts[pid]
            reason = (reason or "").strip()[:500]
            if p.grade == grade and p.grade_reason == reason:
                continue
            p.grade, p.grade_reason, p.graded_by, p.graded_at = grade, reason, _uid(actor), now
            p.save(update_fields=["grade", "grade_reason", "graded_by", "graded_at"])
            changed += 1
        counts = {g: sum(1 for x in final.values() if x == g) for g in Grade.values}
        audit.record(actor=actor, action="appraisal.grades", obj=rnd,
                     data={"changed": changed, "counts": counts, "excellent_limit": limit})
        return changed


def close_round(*, actor, round: AppraisalRound) -> AppraisalRound:  # noqa: A002
    """Close the round (read-only from then on): every participant who is not exempt must have a
    grade. Each 不合格 opens a disposition case for the branch to decide (DOMAIN §6: education
    first, then organisational disposition by procedure; the system never removes anyone)."""
    with transaction.atomic():
        rnd = _locked_round(round)
        _require_stage(rnd, Stage.GRADING)
        missing = list(Participant.objects.filter(round=rnd, exempt_basis="", grade="").values_list("name", flat=True))
        if missing:
            raise ValidationError(_("Grade every participant before closing; not graded yet: %(names)s.") % {
                "names": "、".join(missing[:20]) + ("…" if len(missing) > 20 else "")}, code="not_all_graded")
        cases = 0
        for p in Participant.objects.filter(round=rnd, grade=Grade.UNQUALIFIED).select_related("member"):
            DispositionCase.objects.create(round=rnd, participant=p, member=p.member, org=rnd.org, org_path=rnd.org_path,
                                           basis=p.grade_reason or "不合格")
            cases += 1
        rnd.stage, rnd.closed_at, rnd.closed_by = Stage.CLOSED, timezone.now(), _uid(actor)
        rnd.save(update_fields=["stage", "closed_at", "closed_by"])
        audit.record(actor=actor, action="appraisal.close", obj=rnd, data={"cases": cases})
        round.stage = rnd.stage
        return rnd


def decide_case(*, actor, case: DispositionCase, outcome: str, note: str, decided_on: dt.date | None = None,
                correct_until: dt.date | None = None, help_plan: str = "") -> DispositionCase:
    """Record the branch's decision on a member graded 不合格 (DOMAIN §6; §11 "限期改正 ≤1 year").
    Education and help come first; 限期改正 needs an end date within one year; 劝退 / 除名 are
    decisions of the 支部大会 with the upper organization's approval — recorded here, carried out
    by people (nothing in the member's record changes)."""
    decided_on = decided_on or timezone.localdate()
    note = (note or "").strip()
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": [ValidationError(_("Choose the decision."), code="no_outcome")]})
    if not note:
        raise ValidationError({"note": [ValidationError(_("Say what was decided and by which body (支委会, 支部大会)."), code="no_note")]})
    if outcome == Outcome.CORRECT:
        if correct_until is None:
            raise ValidationError({"correct_until": [ValidationError(_("限期改正 needs the date by which to correct."), code="no_correct_until")]})
        if not (decided_on < correct_until <= same_day_months_later(decided_on, 12)):
            raise ValidationError({"correct_until": [ValidationError(_("The time limit is at most one year from the decision."), code="over_a_year")]})
        help_plan = (help_plan or "").strip()
        if not help_plan:
            raise ValidationError({"help_plan": [ValidationError(_("限期改正 comes with a help plan: who helps, how, how often."), code="no_help_plan")]})
    else:
        correct_until, help_plan = None, ""
    if decided_on > timezone.localdate() or decided_on < case.opened_on:
        raise ValidationError({"decided_on": [ValidationError(_("The decision date lies between the opening of the case and today."), code="bad_decision_date")]})
    with transaction.atomic():
        c = DispositionCase.objects.select_for_update().get(pk=case.pk)
        if c.status != CaseStatus.OPEN:
            raise ValidationError(_("The case is already decided."), code="decided")
        c.status, c.outcome, c.decision_note, c.decided_on, c.correct_until, c.decided_by = (
            CaseStatus.DECIDED, outcome, note[:500], decided_on, correct_until, _uid(actor))
        c.help_plan = help_plan[:2000]
        c.save()
        audit.record(actor=actor, action="appraisal.case_decided", obj=c,
                     data={"member": c.member_id, "outcome": outcome, "correct_until": correct_until})
        return c


def write_comments(*, actor, author: Participant, comments: dict[int, str]) -> int:
    """Save a participant's mutual-appraisal comments at once (empty box: no comment; emptying a
    box withdraws that comment). Only the author themself writes — the comments carry their name."""
    if author.member.user_id is None or author.member.user_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the member themself writes their comments: they carry their name."), code="not_self")
    subjects = {p.pk: p for p in comment_subjects(author)}
    n = 0
    with transaction.atomic():
        rnd = _locked_round(author.round)
        _require_stage(rnd, Stage.MUTUAL)
        for pid, text in comments.items():
            subject = subjects.get(pid)
            if subject is None:
                raise ValidationError(_("Comment on another participant of the same round."), code="not_a_subject")
            if (text or "").strip():
                write_comment(actor=actor, author=author, subject=subject, text=text)
                n += 1
            else:
                gone, _x = MutualComment.objects.filter(author=author, subject=subject).delete()
                if gone:
                    audit.record(actor=actor, action="appraisal.comment_withdrawn", obj=rnd,
                                 data={"author": author.member_id, "subject": subject.member_id})
    return n


def link_meeting(*, actor, round: AppraisalRound, meeting=None) -> AppraisalRound:  # noqa: A002
    """Link (or unlink, with None) the round's 民主评议党员 meeting of org life — often planned after
    the round was opened (DOMAIN §6: the appraisal is held at a 党员大会, may be combined with the
    organisational-life meeting). Not once the round is closed."""
    with transaction.atomic():
        rnd = _locked_round(round)
        if rnd.stage == Stage.CLOSED:
            raise ValidationError(_("The appraisal round is closed: it can no longer be changed."), code="round_closed")
        if meeting is not None:
            if not appraisal_meetings(rnd.org).filter(pk=meeting.pk).exists():
                raise ValidationError({"meeting": [ValidationError(_("Choose a 民主评议党员 meeting of this organization."), code="not_appraisal_meeting")]})
            if timezone.localtime(meeting.starts_at).year != rnd.year:
                raise ValidationError({"meeting": [ValidationError(_("The meeting lies in another year."), code="meeting_other_year")]})
        rnd.meeting = meeting
        rnd.save(update_fields=["meeting"])
        audit.record(actor=actor, action="appraisal.meeting", obj=rnd, data={"meeting": getattr(meeting, "pk", None)})
        round.meeting = meeting
        return rnd


def paper_counts(rnd: AppraisalRound) -> tuple[int, int]:
    """(members who handed in a paper ballot, paper ballots entered so far)."""
    return (Voted.objects.filter(round=rnd, paper=True).count(), Ballot.objects.filter(round=rnd, paper=True).count())


def mark_paper_voters(*, actor, round: AppraisalRound, voters: list[Participant]) -> int:  # noqa: A002
    """Record the members who put a paper ballot into the box at the meeting (DOMAIN §6: the
    assessment is held at the 党员大会, 无记名). Same rules as an online vote: a member with a vote,
    once (a member who voted online cannot also hand in paper). Only *that* they voted is stored;
    the paper ballots are entered afterwards, separately, in the box's order."""
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


def remind(*, actor, round: AppraisalRound) -> int:  # noqa: A002
    """Remind, by inbox, the participants who still have something to do: at the self-appraisal
    stage those without one; at the assessment those with a vote who have not voted (the
    ``Voted`` table says who; nothing about what). At most once a day per round."""
    from dangjian.notify.api import notify

    today = timezone.localdate()
    with transaction.atomic():
        rnd = _locked_round(round)
        if rnd.stage not in (Stage.SELF, Stage.ASSESSMENT):
            raise ValidationError(_("Reminders are sent at the self-appraisal and the assessment stages."), code="wrong_stage")
        if rnd.reminded_on == today:
            raise ValidationError(_("A reminder was already sent today."), code="already_reminded")
        qs = Participant.objects.filter(round=rnd, exempt_basis="", member__user__isnull=False)
        if rnd.stage == Stage.SELF:
            qs, kind = qs.filter(self_text=""), "appraisal.self_reminder"
        else:
            qs = qs.filter(may_vote=True).exclude(pk__in=Voted.objects.filter(round=rnd).values("participant_id"))
            kind = "appraisal.vote_reminder"
        members = [p.member for p in qs.select_related("member")]
        if not members:
            raise ValidationError(_("Nobody to remind: everyone with a login has done their part."), code="nobody_to_remind")
        n = notify(recipients=members, kind=kind, channels=("inbox",), org=rnd.org, actor=actor,
                   context={"org": rnd.org.name, "year": rnd.year, "round_id": rnd.pk})
        rnd.reminded_on = today
        rnd.save(update_fields=["reminded_on"])
        audit.record(actor=actor, action="appraisal.remind", obj=rnd, data={"stage": rnd.stage, "recipients": len(members)})
        round.reminded_on = today
        return n


CORRECTION_REMINDER_DAYS = 30


def correction_reminders(today: dt.date | None = None) -> int:
    """限期改正 end-date reminders (DOMAIN §11 "限期改正 ≤1 year with a help plan and end-date
    reminder"; 党员教育管理工作条例 arts. 30–31): the branch secretary is told once
    ``CORRECTION_REMINDER_DAYS`` before the time limit ends, and once when it has ended — the
    branch then reviews whether the member corrected (a member who did not may be removed by
    the 支部大会 with upper approval; the platform changes nothing). Idempotent."""
    from dangjian.core.models import Role
    from dangjian.notify.api import RoleIn, notify

    today = today or timezone.localdate()
    sent = 0
    cases = DispositionCase.objects.filter(outcome=Outcome.CORRECT, correct_until__isnull=False).select_related("member", "org")
    for c in cases.filter(reminded_before_on__isnull=True, correct_until__gt=today,
                          correct_until__lte=today + dt.timedelta(days=CORRECTION_REMINDER_DAYS)):
        with transaction.atomic():
            notify(recipients=[RoleIn(c.org, Role.SECRETARY)], kind="appraisal.correction_due", org=c.org, actor=None,
                   channels=("inbox",), context={"member": c.member.name, "date": c.correct_until.isoformat(), "case_id": c.pk})
            DispositionCase.objects.filter(pk=c.pk).update(reminded_before_on=today)
        sent += 1
    for c in cases.filter(reminded_end_on__isnull=True, correct_until__lte=today):
        with transaction.atomic():
            notify(recipients=[RoleIn(c.org, Role.SECRETARY)], kind="appraisal.correction_ended", org=c.org, actor=None,
                   channels=("inbox",), context={"member": c.member.name, "date": c.correct_until.isoformat(), "case_id": c.pk})
            DispositionCase.objects.filter(pk=c.pk).update(reminded_end_on=today)
        sent += 1
    return sent
