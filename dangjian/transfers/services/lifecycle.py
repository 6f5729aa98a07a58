"""Transfer requests (Transfer), inside the platform and to an organization outside it — DOMAIN
§5 and §11 "Organisational relationship", rule version ``conf.RULE_VERSION``.

Requested by the secretary (or asked for by the member and confirmed) → approved on the sending
side, the introduction letter issued (:mod:`.letters`) → accepted or rejected by the receiving
side; refused, cancelled or expired on the way.

* 党员教育管理工作条例 (2019) art. 25: every member belongs to one branch; **the sending
  organization stays responsible until the member is received** — the member moves only when
  the receiving side accepts (``accept_transfer`` → ``members.services.move_member``), never
  before; §11 [block] a member in no branch at any moment.
* 条例 art. 4: a move that would leave the sending branch below 3 full members is refused at the
  request already (its other open transfers counted).
* A letter to an organization outside the platform closes the member's record when it is issued;
  its receipt is followed in :mod:`.outside`.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, config, policy
from dangjian.core.dates import same_day_months_later
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, Role
from dangjian.members import api as member_services
from dangjian.members.api import Member, MemberOrgHistory, MemberStatus, RecordState
from dangjian.notify.api import RoleIn, notify

from ..conf import RULE_VERSION, cfg
from ..models import OPEN_STATUSES, Transfer, TransferKind, TransferStatus
from ._common import _locked, _notify, _require_status, _sending_branch, _side_recipients, _system_only, _uid
from .letters import approver_org, default_valid_days, letter_valid_on, may_approve

# -- helpers -------------------------------------------------------------------------------------

def _check_leaves_minimum(member: Member, to_org: Organization | None) -> None:
    """The ≥3 full members rule of 条例 art. 4, checked as members.services.move_member does (and
    counting the branch's other open transfers), so a transfer that could never be accepted is
    refused at once."""
    branch = _sending_branch(member)
    if to_org is not None and to_org.path.startswith(branch.path):
        return
    minimum = config.value("STRUCTURE")["branch_min_full_members"]
    leaving = Transfer.objects.filter(from_path__startswith=branch.path, status__in=OPEN_STATUSES,
                                      member__status=MemberStatus.FULL).exclude(member=member) \
        .exclude(to_path__startswith=branch.path, kind=TransferKind.INTERNAL).count()
    if member.status == MemberStatus.FULL and not branch.is_joint and \
            member_services.full_members_in(branch) - leaving - 1 < minimum:
        raise ValidationError(_("“%(b)s” would be left with fewer than %(n)s full members (条例 art. 4). Merge it or attach it to a joint branch instead.") % {"b": branch.name, "n": minimum}, code="below_minimum")


def _check_day(member: Member, on: dt.date) -> None:
    """A dated step lies between the start of the member's current membership and today, so the
    history stays contiguous and in order."""
    start = MemberOrgHistory.objects.filter(member=member, ended_on__isnull=True).values_list("started_on", flat=True).first()
    if on > timezone.localdate() or (start and on < start):
        raise ValidationError({"on": [ValidationError(_("The date must lie between %(a)s and today.") % {"a": start}, code="date_out_of_range")]})


def _check_destination(member: Member, to_org: Organization) -> None:
    if to_org.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError({"to_org": [ValidationError(_("Members belong to a branch, general branch, Party group or primary committee, not to “%(o)s”.") % {"o": to_org.name}, code="not_member_holding")]})
    if not to_org.is_active:
        raise ValidationError({"to_org": [ValidationError(_("“%(o)s” is dissolved.") % {"o": to_org.name}, code="inactive")]})
    if to_org.pk == member.org_id:
        raise ValidationError({"to_org": [ValidationError(_("The member is already in this organization."), code="already_there")]})


def _approver_recipients(t: Transfer) -> list:
    up = approver_org(t.from_org)
    return [RoleIn(up, Role.ORG_ADMIN)] if up else []


def _may_request(actor, member: Member, asked_by_member: bool) -> None:
    """A member asks for their own transfer (``transfer.ask``, SELF); otherwise the secretary or
    an admin over the member's branch requests it (``transfer.request``)."""
    if asked_by_member:
        policy.authorize_self(actor, member)
    else:
        policy.authorize(actor, "transfer", "request", member.org_path)


def _may_receive(actor, transfer: Transfer) -> None:
    """The receiving side (``transfer_in.accept``) over the destination (``to_path``), whichever
    class the row was loaded as."""
    policy.authorize(actor, "transfer_in", "accept", transfer.to_path)


# -- transfers -----------------------------------------------------------------------------------

def request_transfer(*, actor, member: Member, kind: str = TransferKind.INTERNAL, to_org: Organization | None = None,
                     to_name: str = "", reason: str = "", asked_by_member: bool = False) -> Transfer:
    """Open a transfer of a member's relationship (DOMAIN §5, art. 25).

    Requested by the branch secretary (→ awaiting approval) or asked for by the member (→ awaiting
    the secretary's confirmation). One open transfer per member [block]; the destination is an
    active member-holding organization (inside the platform) or a named outside organization;
    a full member's move may not leave the branch below 3 full members [block].
    """
    _may_request(actor, member, asked_by_member)
    if kind not in (TransferKind.INTERNAL, TransferKind.OUT):
        raise ValidationError(_("Unknown kind of transfer."), code="unknown_kind")
    to_name = (to_name or "").strip()
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.state != RecordState.ACTIVE:
            raise ValidationError(_("This record is closed."), code="record_closed")
        if Transfer.objects.filter(member=member, status__in=OPEN_STATUSES).exists():
            raise ValidationError(_("%(m)s already has an open transfer; finish or cancel it first.") % {"m": member.name}, code="open_transfer_exists")
        if kind == TransferKind.INTERNAL:
            if to_org is None:
                raise ValidationError({"to_org": [ValidationError(_("Choose the receiving organization."), code="no_destination")]})
            to_org = Organization.objects.get(pk=to_org.pk)
            _check_destination(member, to_org)
            to_name, to_path = to_org.name, to_org.path
        else:
            if not to_name:
                raise ValidationError({"to_name": [ValidationError(_("Name the receiving organization outside the platform."), code="no_destination_name")]})
            to_org, to_path = None, member.org_path
        _check_leaves_minimum(member, to_org)
        t = Transfer.objects.create(
            kind=kind, status=TransferStatus.REQUESTED if asked_by_member else TransferStatus.PENDING,
            member=member, member_name=member.name, from_org=member.org, from_path=member.org_path,
            from_name=member.org.name, to_org=to_org, to_path=to_path, to_name=to_name, reason=(reason or "")[:200],
            requested_by=_uid(actor),
        )
        audit.record(actor=actor, action="transfers.request", obj=t, org_path=t.from_path,
                     data={"member": member.pk, "kind": kind, "to": to_org.pk if to_org else to_name,
                           "asked_by_member": asked_by_member, "rule": RULE_VERSION})
        if asked_by_member:
            _notify("transfers.asked", [RoleIn(member.org, Role.SECRETARY)], t, actor, member.org)
        else:
            _notify("transfers.approval_needed", _approver_recipients(t), t, actor, member.org)
        return t


def confirm_request(*, actor, transfer: Transfer) -> Transfer:
    """The branch secretary confirms a member's own request; it then awaits approval."""
    policy.authorize(actor, "transfer", "request", transfer)
    with transaction.atomic():
        t = _locked(transfer)
        _require_status(t, TransferStatus.REQUESTED)
        t.status = TransferStatus.PENDING
        t.save(update_fields=["status"])
        audit.record(actor=actor, action="transfers.confirm", obj=t, org_path=t.from_path, data={})
        _notify("transfers.approval_needed", _approver_recipients(t), t, actor, t.from_org)
        return t


def approve_transfer(*, actor, transfer: Transfer, valid_days: int | None = None, dues_paid_to: dt.date | None = None,
                     on: dt.date | None = None) -> Transfer:
    """Approve on the sending side and issue the introduction letter (45号; DOMAIN §5).

    The approver is an org admin of the sending side's approving level ([cfg] ``approver_kinds``).
    The letter gets a unique number, a verification code, the dues-paid-to month, and a validity of
    ``valid_days`` ([cfg] default 10 same city / 30 elsewhere; [block] above 90 days or below 1).
    A letter to an organization outside the platform closes the member's record here (the member
    leaves; the receipt is awaited).
    """
    policy.authorize(actor, "transfer", "approve", transfer)
    on = on or timezone.localdate()
    with transaction.atomic():
        t = _locked(transfer)
        _require_status(t, TransferStatus.PENDING)
        if not may_approve(actor, t):
            raise ValidationError(_("Only the sending side's Party committee (an organization admin above the branch) approves a transfer."), code="not_approver")
        days = valid_days if valid_days is not None else default_valid_days(t)
        if days < 1 or days > cfg("valid_days_max"):
            raise ValidationError({"valid_days": [ValidationError(_("A letter is valid for 1 to %(n)s days (at most 3 months).") % {"n": cfg("valid_days_max")}, code="validity_out_of_range")]})
        if dues_paid_to is not None:
            dues_paid_to = dues_paid_to.replace(day=1)
            if dues_paid_to > same_day_months_later(on.replace(day=1), 12):
                raise ValidationError({"dues_paid_to": [ValidationError(_("Dues cannot be paid more than a year ahead."), code="too_far_ahead")]})
        if t.member.state != RecordState.ACTIVE or t.member.org_id != t.from_org_id:
            raise ValidationError(_("The member is no longer in the sending organization; cancel this transfer."), code="member_left")
        _check_day(t.member, on)
        if t.kind == TransferKind.INTERNAL:
            _check_destination(t.member, t.to_org)
        _check_leaves_minimum(t.member, t.to_org)
        t.approved_by, t.approved_at = _uid(actor), timezone.now()
        t.issued_on, t.valid_days, t.valid_until = on, days, on + dt.timedelta(days=days)
        t.dues_paid_to = dues_paid_to
        t.letter_no = f"ZZ{on.year}{t.pk:07d}"
        t.status = TransferStatus.ISSUED if t.kind == TransferKind.INTERNAL else TransferStatus.LEFT
        t.save()
        notify(recipients=[t.member], kind="transfers.report_in", channels=("inbox", "sms"), org=t.from_org, actor=_uid(actor),
               context={"member": t.member_name, "letter_no": t.letter_no, "to_org": t.to_name,
                        "valid_until": t.valid_until.isoformat()})
        if t.kind == TransferKind.OUT:
            member_services.close_record(actor=actor, member=t.member, reason=_("Transferred out to %(o)s, letter %(n)s") % {"o": t.to_name, "n": t.letter_no}, on=on)
        audit.record(actor=actor, action="transfers.approve", obj=t, org_path=t.from_path,
                     data={"letter_no": t.letter_no, "valid_days": days, "valid_until": t.valid_until,
                           "dues_paid_to": dues_paid_to, "rule": RULE_VERSION})
        if t.kind == TransferKind.INTERNAL:
            _notify("transfers.letter_issued", _side_recipients(t.to_org) + [RoleIn(t.from_org, Role.SECRETARY)], t, actor,
                    t.to_org, valid_until=t.valid_until.isoformat())
        return t


def refuse_transfer(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """The sending side refuses a request (before the letter is issued); a reason is required."""
    policy.authorize(actor, "transfer", "approve", transfer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [ValidationError(_("Give the reason."), code="no_reason")]})
    with transaction.atomic():
        t = _locked(transfer)
        _require_status(t, TransferStatus.REQUESTED, TransferStatus.PENDING)
        t.status, t.decided_by, t.decided_at, t.decision_note = TransferStatus.REJECTED, _uid(actor), timezone.now(), reason[:300]
        t.save()
        audit.record(actor=actor, action="transfers.refuse", obj=t, org_path=t.from_path, data={"reason": reason})
        _notify("transfers.rejected", [RoleIn(t.from_org, Role.SECRETARY)], t, actor, t.from_org, reason=reason)
        return t


def reject_transfer(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """The receiving side refuses an issued letter, with its reason (the member stays where they
    are: the sending organization remains responsible, art. 25)."""
    _may_receive(actor, transfer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [ValidationError(_("Give the reason."), code="no_reason")]})
    with transaction.atomic():
        t = _locked(transfer)
        _require_status(t, TransferStatus.ISSUED)
        t.status, t.decided_by, t.decided_at, t.decision_note = TransferStatus.REJECTED, _uid(actor), timezone.now(), reason[:300]
        t.save()
        audit.record(actor=actor, action="transfers.reject", obj=t, org_path=t.to_path, data={"reason": reason})
        _notify("transfers.rejected", _side_recipients(t.from_org), t, actor, t.from_org, reason=reason)
        return t


def accept_transfer(*, actor, transfer: Transfer, on: dt.date | None = None) -> Transfer:
    """The receiving side accepts: the member moves with full history (move_member), the receipt
    counts as returned at once inside the platform. [block] after the letter's last valid day
    (a new letter is needed), or when the member is no longer in the sending organization."""
    _may_receive(actor, transfer)
    on = on or timezone.localdate()
    with transaction.atomic():
        t = _locked(transfer)
        _require_status(t, TransferStatus.ISSUED)
        if not letter_valid_on(t, on):
            raise ValidationError(_("The letter was valid until %(d)s; the sending organization must issue a new one.") % {"d": t.valid_until}, code="letter_expired")
        if t.member.state != RecordState.ACTIVE or t.member.org_id != t.from_org_id:
            raise ValidationError(_("The member is no longer in the sending organization."), code="member_left")
        _check_day(t.member, on)
        member_services.receive_member(actor=actor, member=t.member, to_org=t.to_org,
                                       reason=_("Relationship transferred, letter %(n)s") % {"n": t.letter_no}, on=on)
        t.status, t.decided_by, t.decided_at = TransferStatus.ACCEPTED, _uid(actor), timezone.now()
        t.reported_on = t.receipt_returned_on = on
        t.save()
        audit.record(actor=actor, action="transfers.accept", obj=t, org_path=t.to_path,
                     data={"letter_no": t.letter_no, "member": t.member_id})
        _notify("transfers.accepted", _side_recipients(t.from_org), t, actor, t.from_org)
        return t


def cancel_transfer(*, actor, transfer: Transfer, reason: str = "") -> Transfer:
    """The sending side withdraws an open transfer (a letter already issued becomes void)."""
    policy.authorize(actor, "transfer", "request", transfer)
    with transaction.atomic():
        t = _locked(transfer)
        _require_status(t, *OPEN_STATUSES)
        t.status, t.decided_by, t.decided_at, t.decision_note = TransferStatus.CANCELLED, _uid(actor), timezone.now(), (reason or "")[:300]
        t.save()
        audit.record(actor=actor, action="transfers.cancel", obj=t, org_path=t.from_path, data={"reason": reason})
        return t


@policy.authorized_by("system only: called by the daily job (run_daily, periodic transfers.daily) with actor=None; "
                      "_system_only refuses any user")
def expire_transfer(*, actor, transfer: Transfer, today: dt.date | None = None) -> Transfer:
    """§11 [warn] a letter expired without report-in: the transfer becomes "expired" after its last
    valid day and both sides are told (the member is still in the sending branch)."""
    _system_only(actor)
    today = today or timezone.localdate()
    with transaction.atomic():
        t = _locked(transfer)
        _require_status(t, TransferStatus.ISSUED)
        if letter_valid_on(t, today):
            raise ValidationError(_("The letter is still valid until %(d)s.") % {"d": t.valid_until}, code="letter_still_valid")
        t.status, t.expiry_warned = TransferStatus.EXPIRED, True
        t.save(update_fields=["status", "expiry_warned"])
        audit.record(actor=actor, action="transfers.expire", obj=t, org_path=t.from_path,
                     data={"valid_until": t.valid_until, "rule": "DOMAIN §11 [warn] letter expired without report-in"})
        _notify("transfers.expired", _side_recipients(t.from_org) + _side_recipients(t.to_org), t, actor, t.from_org,
                valid_until=t.valid_until.isoformat())
        return t
