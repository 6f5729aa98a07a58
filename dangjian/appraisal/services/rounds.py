"""Aggregate: the appraisal round of a branch and year — open, advance through the stages, grade,
close, link its meeting, remind the participants.

Rules (DOMAIN §6 and §11 "Democratic appraisal"; rule version ``conf.RULE_VERSION``): once a
year per organization, a member appraised once (no overlapping round above or below); who takes
part (probationary members graded, exempt members listed not graded, restricted members without
a vote, DOMAIN §1.2); stage order self → mutual → assessment → grading → closed; the 优秀 share
(⌊n × ⅓⌋ [cfg], §11 [block]); 不合格 needs a reason and opens a disposition case.

Plain functions, keyword-only, actor first; each runs in one transaction, writes an audit row and
raises ``ValidationError`` with a message the user can act on. Permission (who may call which
function on which organization) is the POLICY table's: the views load through the scope and each
function asserts its actor first (``policy.authorize``, decisions.md 38); the rules after that
are the domain's.
"""
from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.errors import collected
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgKind, OrgStatus
from dangjian.members.api import Member, MemberStatus, RecordState

from ..conf import RULE_VERSION, cfg, excellent_share
from ..models import STAGE_ORDER, AppraisalRound, DispositionCase, Grade, Participant, Stage, Voted
from ._common import _locked_round, _require_stage, _uid
from .ballots import shuffle_ballots

ROUND_KINDS = MEMBER_HOLDING_KINDS - {OrgKind.PARTY_GROUP}


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
    policy.authorize(actor, "appraisal", "manage", org)
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


def advance(*, actor, round: AppraisalRound, to: str) -> AppraisalRound:  # noqa: A002 — the domain's word
    """Move the round to its next stage (DOMAIN §6: self → mutual → assessment → grading → closed);
    any other transition is refused. Opening the assessment tells the voters; ending it shakes
    the ballot box (rows rewritten in random order); closing is :func:`close_round`."""
    policy.authorize(actor, "appraisal", "manage", round)
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


def set_grades(*, actor, round: AppraisalRound, grades: dict[int, tuple[str, str]]) -> int:  # noqa: A002
    """The branch committee's proposed grades (DOMAIN §6: 支委会 or 党员大会 proposes the grade from
    the assessment and daily performance), entered by the secretary during the grading stage.

    ``grades``: participant id → (grade or "" for not yet graded, reason). Refused: grading an
    exempt member; 不合格 without a written reason; more 优秀 than ⌊⅓ × graded participants⌋
    ([cfg] ``excellent_max_share``; DOMAIN §6 "normally ≤1/3", §11 [block]). Returns the number
    of grades changed.
    """
    policy.authorize(actor, "appraisal", "manage", round)
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
    policy.authorize(actor, "appraisal", "manage", round)
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


def link_meeting(*, actor, round: AppraisalRound, meeting=None) -> AppraisalRound:  # noqa: A002
    """Link (or unlink, with None) the round's 民主评议党员 meeting of org life — often planned after
    the round was opened (DOMAIN §6: the appraisal is held at a 党员大会, may be combined with the
    organisational-life meeting). Not once the round is closed."""
    policy.authorize(actor, "appraisal", "manage", round)
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


def remind(*, actor, round: AppraisalRound) -> int:  # noqa: A002
    """Remind, by inbox, the participants who still have something to do: at the self-appraisal
    stage those without one; at the assessment those with a vote who have not voted (the
    ``Voted`` table says who; nothing about what). At most once a day per round."""
    policy.authorize(actor, "appraisal", "manage", round)
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
