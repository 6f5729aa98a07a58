"""The elected committee (CommitteeMember) — DOMAIN §2 "Branch structure", §11 "Structure & terms"
(rule version ``conf.RULE_VERSION``).

* Committee members are filed at the election; the secretary and deputy secretary count as in
  office only once the upper organization's approval is recorded. [warn] missing secretary,
  vacant seat.
* Committee size (支部工作条例 art. 9; DOMAIN §2 "Branch structure", §11 "Structure & terms"),
  through ``core.structure.findings_for`` (the same rules as the organization's findings, no
  second copy of the numbers): ≥7 full members → a committee must be set up ([block] fewer than
  3 seats); 3–5 seats, [warn] above 5, [block] above 7; [warn] a committee of ≥3 with fewer
  than 7 full members — checked on the seats when the election is recorded, the >7 block again
  when its result is recorded, and the elected committee's size warned on then (:mod:`.voting`).
* [warn] secretary with < 1 year of Party standing (党龄, counted from full membership — 党章
  art. 7, DOMAIN §2 "Secretary normally has ≥1 year", §4.2, §11) at the election date: stored
  with the election's warnings, shown on the committee page and on the approval page ([cfg]
  ``officer_min_standing_months``, ``standing_positions`` — DOMAIN names the secretary only).
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy, structure
from dangjian.core.dates import same_day_months_later
from dangjian.core.models import Organization
from dangjian.members import api as member_services
from dangjian.members.api import Member, MemberStatus, RecordState

from ..conf import RULE_VERSION, cfg
from ..models import CommitteeMember, OfficerPosition
from ._common import _uid
from .terms import current_term

# -- the committee in office ---------------------------------------------------------------------

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


# -- approval and filing -----------------------------------------------------------------------

def approve_officer(*, actor, seat: CommitteeMember, on: dt.date | None = None) -> CommitteeMember:
    """The upper organization approves (批准) the elected secretary / deputy secretary; only then
    do they count as in office and take the position on the member record. Row
    ``election.approve`` on the seat (reaches strictly lower organizations)."""
    policy.authorize(actor, "election", "approve", seat)
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
    in the future. Only the upper organization records it: row ``election.approve`` on ``org``
    (the view's row, which reaches strictly lower organizations)."""
    policy.authorize(actor, "election", "approve", org)
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
