"""Elections and terms — DOMAIN §1.2 "Quorum and voting", §2 "Terms", §11 "Structure & terms"
and "Votes & elections" (rule version ``conf.RULE_VERSION``).

* Terms ([cfg] via ``core.services.term_years``): village/community 5 y, other branch / general
  branch 3 y, primary committee 5 y (党章 art. 31; 2018 意见). Term end = election date + term.
* [remind] 6 months before the end, to the secretary and the upper organization (daily job).
* Postponing or advancing the election needs the upper organization's approval, by ≤ 1 year
  (选举工作条例 art. 3) — [block] beyond, measured from the regular end of the term.
* Election meeting valid only if voters present > 4/5 of those entitled ([block],
  ``minutes.quorum.election_valid``); elected with yes > ½ of 应到 ([cfg] or 实到,
  ``quorum.elected``); candidates ≥ seats × 1.2 rounded up ([warn], ``quorum.min_candidates``).
* Probationary members and members under 留党察看 (or detained) neither vote nor stand (选举工作
  条例 art. 5) — [block].
* Committee members are filed at the election; the secretary and deputy secretary count as in
  office only once the upper organization's approval is recorded. [warn] missing secretary,
  vacant seat.
* Committee size (支部工作条例 art. 9; DOMAIN §2 "Branch structure", §11 "Structure & terms"),
  through ``core.structure.findings_for`` (the same rules as the organization's findings, no
  second copy of the numbers): ≥7 full members → a committee must be set up ([block] fewer than
  3 seats); 3–5 seats, [warn] above 5, [block] above 7; [warn] a committee of ≥3 with fewer
  than 7 full members — checked on the seats when the election is recorded, the >7 block again
  when its result is recorded, and the elected committee's size warned on then.
* [warn] secretary with < 1 year of Party standing (党龄, counted from full membership — 党章
  art. 7, DOMAIN §2 "Secretary normally has ≥1 year", §4.2, §11) at the election date: stored
  with the election's warnings, shown on the committee page and on the approval page ([cfg]
  ``officer_min_standing_months``, ``standing_positions`` — DOMAIN names the secretary only).
* [warn] ≥ 500 members: a 党员代表大会 may be held instead, with approval (选举工作条例 art. 4).
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import api as core_services
from dangjian.core import audit, structure
from dangjian.core.dates import same_day_months_later
from dangjian.core.errors import collected
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgKind, Role
from dangjian.members import api as member_services
from dangjian.members.api import COMMITTEE_POSITIONS, Member, MemberStatus, RecordState
from dangjian.minutes import api as quorum
from dangjian.notify.api import RoleIn, notify

from .conf import RULE_VERSION, cfg
from .models import (
    APPROVED_POSITIONS,
    AdjustKind,
    AdjustStatus,
    Candidate,
    CommitteeMember,
    Election,
    ElectionStatus,
    OfficerPosition,
    Term,
    TermAdjustment,
    TermReminder,
)

ELECTING_KINDS = MEMBER_HOLDING_KINDS - {OrgKind.PARTY_GROUP} | {OrgKind.TOWN_COMMITTEE}


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


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


# -- terms ---------------------------------------------------------------------------------------

def term_length(org: Organization) -> int:
    return core_services.term_years(org.kind, org.area_type)


def current_term(org: Organization) -> Term | None:
    return Term.objects.filter(org=org, closed_on__isnull=True).order_by("-started_on", "-id").first()


def regular_end(org: Organization) -> dt.date | None:
    """The term's end before any postponement/advance: the current Term's planned end, else
    start + term length, else the recorded end."""
    t = current_term(org)
    if t:
        return t.planned_ends_on
    if org.term_started_on:
        return core_services.term_end(org.term_started_on, term_length(org))
    return org.term_ends_on


def term_state(org: Organization, today: dt.date | None = None) -> tuple[str, str]:
    """("expired" | "soon" | "ok" | "unknown", text) — colours always come with this text."""
    today = today or timezone.localdate()
    end = org.term_ends_on
    if end is None:
        return "unknown", _("No term recorded")
    if end < today:
        return "expired", _("Term expired on %(d)s — re-election overdue") % {"d": end}
    if end <= same_day_months_later(today, cfg("expiring_soon_months")):
        return "soon", _("Term ends on %(d)s — prepare the re-election") % {"d": end}
    return "ok", _("Term until %(d)s") % {"d": end}


def committee_findings(org: Organization, today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """(rule id, level, message): [warn] missing secretary, vacant seats, officers awaiting approval."""
    out = []
    t = current_term(org)
    if t is None:
        return out
    seats = list(CommitteeMember.objects.filter(term=t, ended_on__isnull=True))
    if not any(s.position == OfficerPosition.SECRETARY and s.in_office for s in seats):
        out.append(("E1", "warn", _("No secretary in office (elected and approved by the upper organization).")))
    if t.election and len(seats) < t.election.seats:
        out.append(("E2", "warn", _("%(n)s of %(s)s seats are vacant; fill them promptly.") % {"n": t.election.seats - len(seats), "s": t.election.seats}))
    for s in seats:
        if s.needs_approval and s.approved_on is None:
            out.append(("E3", "warn", _("%(m)s (%(p)s) awaits the upper organization's approval.") % {"m": s.member.name, "p": s.get_position_display()}))
        problem = standing_problem(s.member, s.position, s.started_on)
        if problem:
            out.append(("E4", "warn", problem))
    return out


# -- committee size and officers' Party standing -------------------------------------------------

SIZE_RULES = ("S3", "S4", "S5")
SIZE_BLOCK_CODES = {"S3": "committee_required", "S4": "too_many_seats"}  # the refusal code of each blocking size rule


def committee_size_findings(org: Organization, size: int, on: dt.date | None = None) -> list[structure.Finding]:
    """The committee-size findings of ``core.structure.findings_for`` (S3 committee required at
    ≥7 full members [block]; S4 3–5 seats, [warn] >5, [block] >7; S5 [warn] a committee with <7
    full members — 支部工作条例 art. 9, DOMAIN §2, §11) for a committee of ``size`` seats.
    Branches and general branches only (``structure.BRANCH_KINDS``; DOMAIN gives no size rule for
    Party committees); members counted on record in the organization's subtree."""
    if org.kind not in structure.BRANCH_KINDS:
        return []
    qs = Member.objects.filter(org_path__startswith=org.path, state=RecordState.ACTIVE)
    counts = {"total": qs.count(), "status:full": qs.filter(status=MemberStatus.FULL).count()}
    return [f for f in structure.findings_for(org, counts, committee_size=size, has_secretary=True, today=on)
            if f.rule in SIZE_RULES]


def finding_text(f: structure.Finding) -> str:
    return f"{f.message} ({f.source})"


def standing_problem(member: Member, position: str, on: dt.date) -> str | None:
    """[warn] a secretary with less than 1 year of Party standing (党龄) on ``on`` — DOMAIN §2
    ("Secretary normally has ≥1 year of Party standing"), §11 "Structure & terms"; 党龄 counts
    from the date of full membership (党章 art. 7; DOMAIN §4.2). Positions and months [cfg]."""
    if position not in cfg("standing_positions"):
        return None
    months = cfg("officer_min_standing_months")
    label = OfficerPosition(position).label
    if member.full_member_on is None:
        return _("%(m)s (%(p)s): no date of full membership is recorded, so the Party standing (党龄) cannot be checked; "
                 "normally at least %(n)s months.") % {"m": member.name, "p": label, "n": months}
    if same_day_months_later(member.full_member_on, months) > on:
        return _("%(m)s (%(p)s) has less than %(n)s months of Party standing (党龄 counts from full membership on %(d)s); "
                 "a secretary normally has at least 1 year (DOMAIN §2, 党章 art. 7).") % {
            "m": member.name, "p": label, "n": months, "d": member.full_member_on}
    return None


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
    defaults to the entitled voters signed in there ([warn] when the number entered differs)."""
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
    """
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


def approve_officer(*, actor, seat: CommitteeMember, on: dt.date | None = None) -> CommitteeMember:
    """The upper organization approves (批准) the elected secretary / deputy secretary; only then
    do they count as in office and take the position on the member record."""
    on = on or timezone.localdate()
    with transaction.atomic():
        s = CommitteeMember.objects.select_for_update().get(pk=seat.pk)
        if not s.needs_approval:
            raise ValidationError(_("Committee members are filed, not approved."), code="not_approvable")
        if s.approved_on or s.ended_on:
            raise ValidationError(_("Nothing to approve."), code="nothing_to_approve")
        s.approved_on, s.approved_by = on, _uid(actor)
        s.save(update_fields=["approved_on", "approved_by"])
        if s.position == OfficerPosition.SECRETARY:
            for m in Member.objects.filter(org=s.org, position=OfficerPosition.SECRETARY).exclude(pk=s.member_id):
                member_services.update_member(actor=actor, member=m, data={"position": OfficerPosition.COMMITTEE})
        member_services.update_member(actor=actor, member=s.member, data={"position": s.position})
        audit.record(actor=actor, action="elections.approve_officer", obj=s, org_path=s.org_path,
                     data={"member": s.member_id, "position": s.position})
        return s


def unfiled_seats(org: Organization):
    """The current term's seats not yet filed (备案) with the upper organization."""
    t = current_term(org)
    if t is None:
        return CommitteeMember.objects.none()
    return CommitteeMember.objects.filter(term=t, ended_on__isnull=True, filed_on__isnull=True)


def file_committee(*, actor, org: Organization, filed_on: dt.date) -> list[CommitteeMember]:
    """The upper organization records the filing (备案) of the elected committee members — DOMAIN
    §2 ("committee elected by the 党员大会 …; members filed (备案), secretary/deputy approved (批准)
    by upper org") and §11 "Record 委员 filing … before they count as in office". Every seat of
    the current term not yet filed gets ``filed_on`` and the person who entered it; audited.

    [block] no elected committee, or every seat already filed; the date before the election or
    in the future. Only the upper organization may call this (the view checks "election.approve",
    which reaches strictly lower organizations)."""
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        t = current_term(org)
        if t is None:
            raise ValidationError(_("No committee has been elected yet: nothing to file."), code="no_committee")
        seats = list(unfiled_seats(org).select_for_update())
        if not seats:
            raise ValidationError(_("Every member of the current committee is already filed."), code="already_filed")
        if filed_on < t.started_on:
            raise ValidationError({"filed_on": [ValidationError(_("The filing cannot come before the election on %(d)s.") % {"d": t.started_on},
                                                                code="before_election")]})
        if filed_on > timezone.localdate():
            raise ValidationError({"filed_on": [ValidationError(_("The date is in the future."), code="in_future")]})
        CommitteeMember.objects.filter(pk__in=[x.pk for x in seats]).update(filed_on=filed_on, filed_by=_uid(actor))
        audit.record(actor=actor, action="elections.file_committee", obj=t, org_path=org.path,
                     data={"term": t.number, "seats": [x.pk for x in seats], "members": [x.member_id for x in seats],
                           "filed_on": filed_on, "rule": RULE_VERSION})
        for x in seats:
            x.filed_on, x.filed_by = filed_on, _uid(actor)
        return seats


# -- postponement / advance ----------------------------------------------------------------------

def _check_adjust_bound(org: Organization, kind: str, new_end: dt.date) -> None:
    base = regular_end(org)
    if base is None:
        raise ValidationError(_("The organization has no recorded term to adjust."), code="no_term")
    months = cfg("max_adjust_months")
    if kind == AdjustKind.POSTPONE:
        if new_end <= org.term_ends_on:
            raise ValidationError({"new_ends_on": [ValidationError(_("A postponement moves the end later than %(d)s.") % {"d": org.term_ends_on},
                                                                   code="not_later")]})
        if new_end > same_day_months_later(base, months):
            raise ValidationError({"new_ends_on": [ValidationError(
                _("At most 1 year: the term may end on %(d)s at the latest (选举工作条例 art. 3).") % {"d": same_day_months_later(base, months)},
                code="beyond_one_year")]})
    elif kind == AdjustKind.ADVANCE:
        if new_end >= org.term_ends_on:
            raise ValidationError({"new_ends_on": [ValidationError(_("An advance moves the end earlier than %(d)s.") % {"d": org.term_ends_on},
                                                                   code="not_earlier")]})
        if new_end < same_day_months_later(base, -months):
            raise ValidationError({"new_ends_on": [ValidationError(
                _("At most 1 year: the term may end on %(d)s at the earliest (选举工作条例 art. 3).") % {"d": same_day_months_later(base, -months)},
                code="beyond_one_year")]})
    else:
        raise ValidationError({"kind": [ValidationError(_("Choose one of the listed values."), code="invalid_choice")]})


def request_adjustment(*, actor, org: Organization, kind: str, new_ends_on: dt.date, reason: str) -> TermAdjustment:
    """Ask the upper organization to postpone or advance the election (≤ 1 year, art. 3)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [ValidationError(_("Give the reason."), code="no_reason")]})
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        if org.term_ends_on is None:
            raise ValidationError(_("The organization has no recorded term to adjust."), code="no_term")
        if TermAdjustment.objects.filter(org=org, status=AdjustStatus.PENDING).exists():
            raise ValidationError(_("A request is already awaiting the upper organization."), code="already_pending")
        _check_adjust_bound(org, kind, new_ends_on)
        a = TermAdjustment.objects.create(org=org, kind=kind, old_ends_on=org.term_ends_on,
                                          new_ends_on=new_ends_on, reason=reason[:300], requested_by=_uid(actor))
        audit.record(actor=actor, action="elections.adjust_request", obj=a, org_path=a.org_path,
                     data={"kind": kind, "from": org.term_ends_on, "to": new_ends_on, "reason": reason})
        if org.parent_id:
            notify(recipients=[RoleIn(org.parent, Role.ORG_ADMIN)], kind="elections.adjust_request",
                   context={"org": org.name, "old": org.term_ends_on.isoformat(), "new": new_ends_on.isoformat(),
                            "adjustment_id": a.pk}, org=org, actor=_uid(actor))
        return a


def decide_adjustment(*, actor, adjustment: TermAdjustment, approve: bool, note: str = "") -> TermAdjustment:
    """The upper organization approves (the term end moves, one record with reason and approver)
    or refuses."""
    with transaction.atomic():
        a = TermAdjustment.objects.select_for_update().get(pk=adjustment.pk)
        if a.status != AdjustStatus.PENDING:
            raise ValidationError(_("This request is already decided."), code="already_decided")
        if not approve and not (note or "").strip():
            raise ValidationError({"note": [ValidationError(_("Give the reason."), code="no_reason")]})
        org = a.org
        if approve:
            if org.term_ends_on != a.old_ends_on:
                raise ValidationError(_("The term changed since the request; ask again."), code="term_changed")
            _check_adjust_bound(org, a.kind, a.new_ends_on)
            core_services.update_organization(actor=actor, org=org, term_ends_on=a.new_ends_on)
            Term.objects.filter(org=org, closed_on__isnull=True).update(ends_on=a.new_ends_on)
        a.status = AdjustStatus.APPROVED if approve else AdjustStatus.REFUSED
        a.decided_by, a.decided_at, a.decision_note = _uid(actor), timezone.now(), (note or "")[:300]
        a.save()
        audit.record(actor=actor, action="elections.adjust_decide", obj=a, org_path=a.org_path,
                     data={"approved": approve, "note": note})
        return a


# -- reminders -----------------------------------------------------------------------------------

def run_daily(today: dt.date | None = None) -> int:
    """[remind] 6 months ([cfg]) before a term ends: notify the secretary and the upper
    organization once per organization and term end."""
    today = today or timezone.localdate()
    horizon = same_day_months_later(today, cfg("remind_months_before_end"))
    sent = 0
    orgs = Organization.objects.filter(status="active", term_ends_on__isnull=False, term_ends_on__gte=today,
                                       term_ends_on__lte=horizon).select_related("parent")
    for org in orgs:
        with transaction.atomic():
            _r, created = TermReminder.objects.get_or_create(org=org, ends_on=org.term_ends_on)
            if not created:
                continue
            recipients = [RoleIn(org, Role.SECRETARY)] + ([RoleIn(org.parent, Role.ORG_ADMIN)] if org.parent_id else [])
            notify(recipients=recipients, kind="elections.term_ending",
                   context={"org": org.name, "ends_on": org.term_ends_on.isoformat(), "org_id": org.pk}, org=org)
            sent += 1
    return sent
