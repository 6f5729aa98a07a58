"""Election meetings (Election, Candidate): who votes and stands, the meeting record, the result
and the new term — DOMAIN §1.2 "Quorum and voting", §11 "Votes & elections" (rule version
``conf.RULE_VERSION``).

* Election meeting valid only if voters present > 4/5 of those entitled ([block],
  ``minutes.quorum.election_valid``); elected with yes > ½ of 应到 ([cfg] or 实到,
  ``quorum.elected``); candidates ≥ seats × 1.2 rounded up ([warn], ``quorum.min_candidates``).
* Probationary members and members under 留党察看 (or detained) neither vote nor stand (选举工作
  条例 art. 5) — [block].
* The committee's size is checked on the seats and on the result, and the elected officers' Party
  standing warned on (:mod:`.committee`); the result closes the previous term and opens the next
  (:mod:`.terms`).
* [warn] ≥ 500 members: a 党员代表大会 may be held instead, with approval (选举工作条例 art. 4).
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import api as core_services
from dangjian.core import audit, policy
from dangjian.core.errors import collected
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgKind
from dangjian.members import api as member_services
from dangjian.members.api import COMMITTEE_POSITIONS, Member, MemberStatus, RecordState
from dangjian.minutes import api as quorum

from ..conf import RULE_VERSION, cfg
from ..models import APPROVED_POSITIONS, Candidate, CommitteeMember, Election, ElectionStatus, OfficerPosition, Term
from ._common import _uid
from .committee import SIZE_BLOCK_CODES, committee_size_findings, finding_text, standing_problem
from .terms import current_term, term_length

ELECTING_KINDS = MEMBER_HOLDING_KINDS - {OrgKind.PARTY_GROUP} | {OrgKind.TOWN_COMMITTEE}


# -- voting rights -------------------------------------------------------------------------------

def voting_rights_refusal(member: Member, on: dt.date) -> ValidationError | None:
    """Why this member may not vote or stand on ``on`` (None if they may) — art. 5 — as a coded
    refusal: ``not_on_record``, ``probationary``, ``restricted`` (留党察看 or detention)."""
    if member.state != RecordState.ACTIVE:
        return ValidationError(_("%(m)s is no longer on record.") % {"m": member.name}, code="not_on_record")
    if member.status != MemberStatus.FULL:
        return ValidationError(_("%(m)s is a probationary member: no right to vote or stand (选举工作条例 art. 5).") % {"m": member.name},
                               code="probationary")
    if member_services.restricted_ids([member.pk], on):
        return ValidationError(_("%(m)s is under 留党察看 or detention: no right to vote or stand (选举工作条例 art. 5).") % {"m": member.name},
                               code="restricted")
    return None


def voting_rights_problem(member: Member, on: dt.date) -> str | None:
    """Why this member may not vote or stand on ``on`` (None if they may) — art. 5 — as text."""
    refused = voting_rights_refusal(member, on)
    return refused.message if refused is not None else None


def entitled_voters(org: Organization, on: dt.date):
    """Full members on record in the organization's subtree, without restricted members (应到)."""
    qs = Member.objects.filter(org_path__startswith=org.path, state=RecordState.ACTIVE, status=MemberStatus.FULL)
    excluded = member_services.restricted_ids(qs.values_list("pk", flat=True), on)
    return qs.exclude(pk__in=excluded)


# -- elections -----------------------------------------------------------------------------------

def voters_signed_in(meeting, voter_ids) -> int:
    """Entitled voters who signed in (on time or late) at the linked org-life meeting."""
    from dangjian.orglife.api import Attendance, AttendanceStatus

    return Attendance.objects.filter(meeting=meeting, member_id__in=list(voter_ids),
                                     status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE]).count()


def create_election(*, actor, org: Organization, held_on: dt.date, seats: int, present: int | None, candidates: list[Member],
                    base: str | None = None, meeting=None) -> Election:
    """Record an election meeting: entitled voters (应到) are computed; candidates must have the
    right to stand ([block] probationary / 留党察看); ≥ seats candidates [block]; ≥ seats × 1.2
    rounded up [warn]; present ≤ entitled [block]. With a linked org-life meeting, ``present``
    defaults to the entitled voters signed in there ([warn] when the number entered differs).
    Row ``election.manage`` on ``org``."""
    policy.authorize(actor, "election", "manage", org)
    base = base or cfg("elected_base")
    if org.kind not in ELECTING_KINDS or not org.is_active:
        raise ValidationError(_("Only an active branch, general branch or Party committee holds elections."), code="not_electing_org")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": [ValidationError(_("The date is in the future."), code="in_future")]})
    if seats < 1:
        raise ValidationError({"seats": [ValidationError(_("At least one seat."), code="no_seats")]})
    if meeting is not None and meeting.org_id != org.pk:
        raise ValidationError({"meeting": [ValidationError(_("The meeting belongs to another organization."), code="meeting_other_org")]})
    with transaction.atomic():
        voters = entitled_voters(org, held_on)
        entitled = voters.count()
        if entitled == 0:
            raise ValidationError(_("The organization has no full members entitled to vote."), code="no_entitled_voters")
        signed_in = voters_signed_in(meeting, voters.values_list("pk", flat=True)) if meeting is not None else None
        if present is None:
            if signed_in is None:
                raise ValidationError({"present": [ValidationError(_("Enter the number of voters present, or link the meeting with its sign-in."),
                                                                   code="present_required")]})
            present = signed_in
        if present > entitled:
            raise ValidationError({"present": [ValidationError(_("More voters present (%(p)s) than entitled (%(e)s).") % {"p": present, "e": entitled},
                                                               code="too_many_present")]})
        errors = []
        members = list({m.pk: m for m in candidates}.values())
        for m in members:
            m = Member.objects.get(pk=m.pk)
            if not m.org_path.startswith(org.path):
                errors.append(ValidationError(_("%(m)s is not a member of this organization.") % {"m": m.name}, code="not_member"))
            problem = voting_rights_refusal(m, held_on)
            if problem:
                errors.append(problem)
        if errors:  # one coded error per candidate refused (not_member, not_on_record, probationary, restricted)
            raise collected({"candidates": errors})
        if len(members) < seats:
            raise ValidationError({"candidates": [ValidationError(
                _("%(c)s candidates for %(s)s seats: at least as many candidates as seats.") % {"c": len(members), "s": seats},
                code="too_few_candidates")]})
        size = committee_size_findings(org, seats, held_on)
        block = next((f for f in size if f.level == "block"), None)  # S3 (< 3 seats) and S4 (> 7) exclude each other
        if block:
            raise ValidationError({"seats": [ValidationError(finding_text(block), code=SIZE_BLOCK_CODES[block.rule])]})
        warnings = [finding_text(f) for f in size]
        total = Member.objects.filter(org_path__startswith=org.path, state=RecordState.ACTIVE).count()
        if total >= cfg("congress_option_at"):
            warnings.append(_("%(n)s members: a Party members' congress (党员代表大会) may be held instead of the general meeting, "
                              "with the upper organization's approval (选举工作条例 art. 4).") % {"n": total})
        if signed_in is not None and signed_in != present:
            warnings.append(_("%(p)s voters present entered, but %(s)s entitled voters signed in at the meeting.") % {"p": present, "s": signed_in})
        need = quorum.min_candidates(seats)
        if len(members) < need:
            warnings.append(_("Competitive slate (差额): %(s)s seats call for at least %(n)s candidates (seats × 1.2, rounded up); there are %(c)s.") % {"s": seats, "n": need, "c": len(members)})
        if not quorum.election_valid(entitled=entitled, present=present):
            warnings.append(_("Present voters (%(p)s) are not more than 4/5 of the %(e)s entitled: the election cannot be valid.") % {"p": present, "e": entitled})
        e = Election.objects.create(org=org, meeting=meeting, held_on=held_on, seats=seats, entitled=entitled,
                                    present=present, base=base, warnings=warnings, created_by=_uid(actor))
        Candidate.objects.bulk_create([Candidate(election=e, member=m) for m in members])
        audit.record(actor=actor, action="elections.create", obj=e, org_path=e.org_path,
                     data={"seats": seats, "entitled": entitled, "present": present, "candidates": [m.pk for m in members],
                           "rule": RULE_VERSION})
        return e


def record_result(*, actor, election: Election, votes: dict[int, int], positions: dict[int, str]) -> Election:
    """Record the votes; decide who is elected; set the committee and the new term.

    [block] unless present > 4/5 of entitled; votes between 0 and the voters present; a tie for
    the last seat needs another ballot; at most one secretary. Elected: yes > ½ of the base
    (应到 by default); at most ``seats``, by votes. The previous term closes; the new one starts on
    the election date and ends after the term length of the organization's kind (core
    ``update_organization``); members' positions follow (``members.services.update_member``):
    secretary / deputy take their position only when the upper organization approves.
    Row ``election.manage`` on the election.
    """
    policy.authorize(actor, "election", "manage", election)
    with transaction.atomic():
        e = Election.objects.select_for_update().get(pk=election.pk)
        if e.status != ElectionStatus.DRAFT:
            raise ValidationError(_("The result of this election is already recorded."), code="already_recorded")
        block = next((f for f in committee_size_findings(e.org, e.seats, e.held_on) if f.rule == "S4" and f.level == "block"), None)
        if block:
            raise ValidationError([ValidationError(finding_text(block), code="too_many_seats"),
                                   ValidationError(_("Record the election again with fewer seats."), code="too_many_seats")])
        if not quorum.election_valid(entitled=e.entitled, present=e.present):
            raise ValidationError(_("The election is not valid: %(p)s present is not more than 4/5 of the %(e)s entitled (选举工作条例; 暂行条例 art. 19).") % {"p": e.present, "e": e.entitled},
                                  code="quorum_not_met")
        cands = list(e.candidates.select_related("member"))
        for c in cands:
            n = votes.get(c.pk)
            if n is None or n < 0 or n > e.present:
                raise ValidationError({"votes": [ValidationError(_("Votes for %(m)s must be between 0 and %(p)s (voters present).") % {"m": c.member.name, "p": e.present},
                                                                 code="votes_out_of_range")]})
            c.votes = n
        passing = sorted([c for c in cands if quorum.elected(yes=c.votes, entitled=e.entitled, present=e.present, base=e.base)],
                         key=lambda c: -c.votes)
        if len(passing) > e.seats and passing[e.seats - 1].votes == passing[e.seats].votes:
            raise ValidationError(_("A tie for the last seat: hold another ballot among the tied candidates."), code="tie")
        elected = passing[: e.seats]
        elected_ids = {c.pk for c in elected}
        chosen = {cid: p for cid, p in positions.items() if p and cid in elected_ids}
        if any(p not in OfficerPosition.values for p in chosen.values()):
            raise ValidationError({"positions": [ValidationError(_("Choose one of the listed values."), code="invalid_choice")]})
        for pos in (OfficerPosition.SECRETARY, OfficerPosition.DEPUTY_SECRETARY):
            if list(chosen.values()).count(pos) > 1:
                raise ValidationError({"positions": [ValidationError(_("Only one secretary and one deputy secretary."), code="duplicate_officer")]})
        warnings = list(e.warnings)
        if OfficerPosition.SECRETARY not in chosen.values():
            warnings.append(_("No secretary was chosen."))
        if len(elected) < e.seats:
            warnings.append(_("%(n)s of %(s)s seats remain vacant.") % {"n": e.seats - len(elected), "s": e.seats})
            for f in committee_size_findings(e.org, len(elected), e.held_on):
                if finding_text(f) not in warnings:
                    warnings.append(finding_text(f))
        for c in elected:
            problem = standing_problem(c.member, chosen.get(c.pk, ""), e.held_on)
            if problem:
                warnings.append(problem)
        for c in cands:
            c.elected = c.pk in elected_ids
            c.position = chosen.get(c.pk, OfficerPosition.COMMITTEE) if c.elected else ""
            c.save(update_fields=["votes", "elected", "position"])
        org = e.org
        previous = current_term(org)
        old_members = set()
        if previous:
            old_members = set(CommitteeMember.objects.filter(term=previous, ended_on__isnull=True).values_list("member_id", flat=True))
            CommitteeMember.objects.filter(term=previous, ended_on__isnull=True).update(ended_on=e.held_on)
            previous.closed_on = e.held_on
            previous.save(update_fields=["closed_on"])
        ends = core_services.term_end(e.held_on, term_length(org))
        number = (Term.objects.filter(org=org).order_by("-number").values_list("number", flat=True).first() or 0) + 1
        term = Term.objects.create(org=org, number=number, started_on=e.held_on, ends_on=ends,
                                   planned_ends_on=ends, election=e)
        for c in elected:
            CommitteeMember.objects.create(term=term, org=org, member=c.member, position=c.position,
                                           started_on=e.held_on)
        core_services.update_organization(actor=actor, org=org, term_started_on=e.held_on, term_ends_on=ends)
        new_ids = {c.member_id for c in elected}
        for m in Member.objects.filter(pk__in=old_members - new_ids, position__in=COMMITTEE_POSITIONS):
            member_services.update_member(actor=actor, member=m, data={"position": ""})
        for c in elected:
            pos = OfficerPosition.COMMITTEE if c.position in APPROVED_POSITIONS else c.position
            if c.member.position != pos:
                member_services.update_member(actor=actor, member=c.member, data={"position": pos})
        e.status, e.warnings = ElectionStatus.RECORDED, warnings
        e.save(update_fields=["status", "warnings"])
        audit.record(actor=actor, action="elections.result", obj=e, org_path=e.org_path,
                     data={"votes": {str(c.member_id): c.votes for c in cands}, "elected": sorted(new_ids),
                           "term": [e.held_on, ends], "warnings": warnings, "rule": RULE_VERSION})
        return e
