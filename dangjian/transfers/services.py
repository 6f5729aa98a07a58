"""State changes of organizational relationship (组织关系) — DOMAIN §5 and §11
"Organisational relationship", rule version ``conf.RULE_VERSION``.

Every function: keyword-only, ``actor`` first, one transaction, an audit row, notifications
written inside the transaction; a refused operation raises ``ValidationError`` before anything
is written. Permission (which POLICY action) is checked by the views; the business rules
(states, dates, the approving level) are checked here.

* 党员教育管理工作条例 (2019) art. 25: every member belongs to one branch; **the sending
  organization stays responsible until the member is received** — the member moves only when
  the receiving side accepts (``accept_transfer`` → ``members.services.move_member``), never
  before; §11 [block] a member in no branch at any moment.
* 组通字〔2006〕45号: the introduction letter is numbered, records the month dues are paid up to
  and its validity in days; its receipt is returned within 1 month ([warn]).
* Letter validity [cfg] 10 days in the same city / 30 days elsewhere, at most 3 months ([block]).
* Arts. 24, 32-34: flowing members (away ≥6 months), lost contact ≥6 months → a "stop
  membership" case; 2 years after the stop → a 自行脱党 removal review; abroad >5 years → stop
  case; graduates at school >2 years [warn]. Cases are decided by people only.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, config
from dangjian.core.dates import same_day_months_later
from dangjian.core.errors import collected
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgKind, Role
from dangjian.members import api as member_services
from dangjian.members.api import Member, MemberOrgHistory, MemberStatus, RecordState
from dangjian.notify.api import RoleIn, notify

from .conf import RULE_VERSION, cfg
from .models import (
    OPEN_STATUSES,
    AwayKind,
    AwayRecord,
    CaseKind,
    CaseStatus,
    ContactLog,
    MembershipCase,
    Transfer,
    TransferKind,
    TransferStatus,
)


def add_years(d: dt.date, years: int) -> dt.date:
    """The same day ``years`` years later; 29 February → 28 February (a duration, see
    :func:`dangjian.core.dates.same_day_months_later`)."""
    return same_day_months_later(d, 12 * years)


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


# -- letters -----------------------------------------------------------------------------------

def letter_code(transfer: Transfer) -> str:
    """The short verification code printed on the letter: HMAC-SHA256 over the letter's number,
    its member record and issue date with a key derived from SECRET_KEY; 10 base32 characters.
    Checking it needs the number too, and reveals no personal data."""
    key = hashlib.sha256(("dangjian.transfers.letter:" + settings.SECRET_KEY).encode()).digest()
    msg = f"{transfer.letter_no}|{transfer.member_id}|{transfer.issued_on}".encode()
    digest = hmac.new(key, msg, hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:10]


def verify_letter(letter_no: str, code: str) -> Transfer | None:
    """The transfer whose letter has this number and code, or None (constant-time compare)."""
    t = Transfer.objects.filter(letter_no=(letter_no or "").strip().upper()).first()
    if t is None or not hmac.compare_digest(letter_code(t), (code or "").strip().upper().replace("-", "")):
        return None
    return t


def city_of(org: Organization | None) -> str | None:
    if org is None:
        return None
    for a in list(org.ancestors()) + [org]:
        if a.kind == OrgKind.CITY_COMMITTEE:
            return a.path
    return None


def default_valid_days(transfer: Transfer) -> int:
    """[cfg] 10 days when both sides are in the same city, 30 days otherwise (DOMAIN §5)."""
    same = transfer.kind == TransferKind.INTERNAL and city_of(transfer.from_org) and \
        city_of(transfer.from_org) == city_of(transfer.to_org)
    return cfg("valid_days_same_city") if same else cfg("valid_days_elsewhere")


def letter_valid_on(transfer: Transfer, day: dt.date) -> bool:
    """The letter is valid from its issue day through ``valid_until`` (issue + validity days)."""
    return bool(transfer.valid_until) and transfer.issued_on <= day <= transfer.valid_until


def approver_org(from_org: Organization | None) -> Organization | None:
    """The nearest ancestor of the sending branch of an approving kind ([cfg] ``approver_kinds``)."""
    if from_org is None:
        return None
    kinds = set(cfg("approver_kinds"))
    for a in reversed(list(from_org.ancestors())):
        if a.kind in kinds:
            return a
    return None


def may_approve(actor, transfer: Transfer) -> bool:
    """An org admin holding the role at an ancestor of the sending branch whose kind is an
    approving kind ([cfg]); the branch itself never approves its own transfer."""
    from dangjian.core.models import RoleAssignment

    if not getattr(actor, "pk", None) or transfer.from_org is None:
        return False
    kinds = set(cfg("approver_kinds"))
    rows = RoleAssignment.objects.filter(user=actor, active=True, role=Role.ORG_ADMIN).select_related("org")
    return any(r.org.kind in kinds and transfer.from_path.startswith(r.org.path) and transfer.from_path != r.org.path
               for r in rows)


# -- helpers -------------------------------------------------------------------------------------

def _locked(transfer: Transfer) -> Transfer:
    return Transfer.objects.select_for_update().get(pk=transfer.pk)


def _require_status(t: Transfer, *allowed: str) -> None:
    if t.status not in allowed:
        raise ValidationError(_("This transfer is “%(s)s”; that step is not possible now.") % {"s": t.get_status_display()}, code="wrong_status")


def _sending_branch(member: Member) -> Organization:
    org = member.org
    return org.parent if org.kind == OrgKind.PARTY_GROUP and org.parent else org


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


def _notify(kind, recipients, t: Transfer, actor, org, **extra) -> None:
    ctx = {"member": t.member_name, "from_org": t.from_name, "to_org": t.to_name, "letter_no": t.letter_no or "—",
           "transfer_id": t.pk, **extra}
    notify(recipients=recipients, kind=kind, context=ctx, org=org, actor=_uid(actor))


def _side_recipients(org: Organization | None) -> list:
    """One side of a transfer: the branch's secretary and admins, and the admins of its primary
    committee (the letter and its receipt pass between primary committees, 45号)."""
    if org is None:
        return []
    out = [RoleIn(org, Role.SECRETARY), RoleIn(org, Role.ORG_ADMIN)]
    up = approver_org(org)
    if up is not None:
        out.append(RoleIn(up, Role.ORG_ADMIN))
    return out


def _approver_recipients(t: Transfer) -> list:
    up = approver_org(t.from_org)
    return [RoleIn(up, Role.ORG_ADMIN)] if up else []


# -- transfers -----------------------------------------------------------------------------------

def request_transfer(*, actor, member: Member, kind: str = TransferKind.INTERNAL, to_org: Organization | None = None,
                     to_name: str = "", reason: str = "", asked_by_member: bool = False) -> Transfer:
    """Open a transfer of a member's relationship (DOMAIN §5, art. 25).

    Requested by the branch secretary (→ awaiting approval) or asked for by the member (→ awaiting
    the secretary's confirmation). One open transfer per member [block]; the destination is an
    active member-holding organization (inside the platform) or a named outside organization;
    a full member's move may not leave the branch below 3 full members [block].
    """
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
    on = on or timezone.localdate()
    with transaction.atomic():
        t = _locked(transfer)
        _require_status(t, TransferStatus.ISSUED)
        if not letter_valid_on(t, on):
            raise ValidationError(_("The letter was valid until %(d)s; the sending organization must issue a new one.") % {"d": t.valid_until}, code="letter_expired")
        if t.member.state != RecordState.ACTIVE or t.member.org_id != t.from_org_id:
            raise ValidationError(_("The member is no longer in the sending organization."), code="member_left")
        _check_day(t.member, on)
        member_services.move_member(actor=actor, member=t.member, to_org=t.to_org,
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
    with transaction.atomic():
        t = _locked(transfer)
        _require_status(t, *OPEN_STATUSES)
        t.status, t.decided_by, t.decided_at, t.decision_note = TransferStatus.CANCELLED, _uid(actor), timezone.now(), (reason or "")[:300]
        t.save()
        audit.record(actor=actor, action="transfers.cancel", obj=t, org_path=t.from_path, data={"reason": reason})
        return t


def expire_transfer(*, actor, transfer: Transfer, today: dt.date | None = None) -> Transfer:
    """§11 [warn] a letter expired without report-in: the transfer becomes "expired" after its last
    valid day and both sides are told (the member is still in the sending branch)."""
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


def mark_receipt_returned(*, actor, transfer: Transfer, on: dt.date | None = None) -> Transfer:
    """The receipt (回执) of a letter to an outside organization came back (45号)."""
    on = on or timezone.localdate()
    with transaction.atomic():
        t = _locked(transfer)
        _require_status(t, TransferStatus.LEFT)
        if on < t.issued_on or on > timezone.localdate():
            raise ValidationError({"on": [ValidationError(_("The receipt date lies between the issue date and today."), code="date_out_of_range")]})
        t.status, t.receipt_returned_on = TransferStatus.RECEIVED, on
        t.save(update_fields=["status", "receipt_returned_on"])
        audit.record(actor=actor, action="transfers.receipt", obj=t, org_path=t.from_path, data={"on": on})
        return t


def receipt_overdue(t: Transfer, today: dt.date) -> bool:
    """§11 [warn] receipt not returned within 1 month ([cfg] days after the letter's last valid day)."""
    return t.status == TransferStatus.LEFT and t.valid_until is not None and \
        today > t.valid_until + dt.timedelta(days=cfg("receipt_due_days"))


def warn_receipt_overdue(*, actor, transfer: Transfer, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    with transaction.atomic():
        t = _locked(transfer)
        if t.receipt_warned or not receipt_overdue(t, today):
            return False
        t.receipt_warned = True
        t.save(update_fields=["receipt_warned"])
        audit.record(actor=actor, action="transfers.receipt_overdue", obj=t, org_path=t.from_path, data={})
        _notify("transfers.receipt_overdue", _side_recipients(t.from_org), t, actor, t.from_org)
        return True


def register_incoming(*, actor, org: Organization, member_data: dict, from_name: str, external_letter_no: str,
                      dues_paid_to: dt.date | None = None, on: dt.date | None = None) -> Transfer:
    """Transfer in from an organization outside the platform: the incoming letter is registered
    (its number, the sending organization, dues paid up to) and the member is added to the branch
    with ``members.services.create_member`` (all member validations apply)."""
    from_name, external_letter_no = (from_name or "").strip(), (external_letter_no or "").strip()
    errors = {}
    if not from_name:
        errors["from_name"] = [ValidationError(_("Name the sending organization."), code="no_from_name")]
    if not external_letter_no:
        errors["external_letter_no"] = [ValidationError(_("Enter the number of the introduction letter."), code="no_letter_no")]
    if errors:
        raise collected(errors)
    on = on or timezone.localdate()
    # an ID number recorded where the actor cannot see it: refused unnamed, routed (kept: outside our transaction)
    member_services.refuse_if_recorded_elsewhere(actor=actor, org=org, id_number=member_data.get("id_number"), via="transfer_in")
    with transaction.atomic():
        m = member_services.create_member(actor=actor, org=org, data=member_data)
        MemberOrgHistory.objects.filter(member=m, ended_on__isnull=True).update(
            reason=(_("Transferred in from %(o)s, letter %(n)s") % {"o": from_name, "n": external_letter_no})[:200])
        t = Transfer.objects.create(
            kind=TransferKind.IN, status=TransferStatus.REGISTERED, member=m, member_name=m.name,
            from_org=None, from_path=m.org_path, from_name=from_name[:200], to_org=m.org, to_path=m.org_path,
            to_name=m.org.name, requested_by=_uid(actor), decided_by=_uid(actor), decided_at=timezone.now(),
            external_letter_no=external_letter_no[:64], dues_paid_to=dues_paid_to.replace(day=1) if dues_paid_to else None,
            reported_on=on, receipt_returned_on=on,
        )
        audit.record(actor=actor, action="transfers.register_in", obj=t, org_path=t.to_path,
                     data={"member": m.pk, "from": from_name, "letter": external_letter_no})
        return t


# -- flowing / lost contact ----------------------------------------------------------------------

def check_inflow(member: Member, kind: str, inflow_org: Organization | None, activity_cert_no: str = "") -> None:
    """The inflow organization of a flowing member (流入地党组织; 教育管理条例 art. 32: one home
    branch, several org lives where the member is; DOMAIN §1.1, §5). [block] only a flowing
    member has one; it is an active branch, general branch, Party group or primary committee
    of the platform, and neither the home branch nor inside it (org life there is the home
    branch's own). The 流动党员活动证 number (art. 9) goes with an inflow organization."""
    if inflow_org is None:
        if activity_cert_no:
            raise ValidationError({"inflow_org": [ValidationError(_("A 流动党员活动证 belongs with an inflow organization: name it."), code="cert_without_inflow")]})
        return
    if kind != AwayKind.FLOWING:
        raise ValidationError({"inflow_org": [ValidationError(_("Only a flowing member takes part in org life at an inflow organization."), code="not_flowing")]})
    if inflow_org.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError({"inflow_org": [ValidationError(_("Org life is held by a branch, general branch, Party group or primary committee, not by “%(o)s”.") % {"o": inflow_org.name}, code="not_member_holding")]})
    if not inflow_org.is_active:
        raise ValidationError({"inflow_org": [ValidationError(_("“%(o)s” is dissolved.") % {"o": inflow_org.name}, code="inactive")]})
    home = _sending_branch(member)
    if inflow_org.path.startswith(home.path):
        raise ValidationError({"inflow_org": [ValidationError(_("“%(o)s” is the member's home branch or inside it; name the organization where the member now lives or works.") % {"o": inflow_org.name}, code="inflow_is_home")]})


def _notify_inflow(actor, rec: AwayRecord) -> None:
    """Tell the inflow organization's secretary that a flowing member now takes part in its org
    life (inbox only: names, no personal data)."""
    notify(recipients=[RoleIn(rec.inflow_org, Role.SECRETARY)], kind="transfers.flowing_in",
           context={"member": rec.member.name, "home_org": rec.org.name, "inflow_org": rec.inflow_org.name,
                    "record_id": rec.pk},
           channels=("inbox",), org=rec.inflow_org, actor=_uid(actor))


def flag_away(*, actor, member: Member, kind: str, since: dt.date, whereabouts: str = "", contact_person: str = "",
              today: dt.date | None = None, inflow_org: Organization | None = None,
              activity_cert_no: str = "") -> AwayRecord:
    """Put a member on the flowing / lost-contact / abroad / graduate register (arts. 24, 32-34).

    [block] a flowing member is away ≥6 months ([cfg]) and needs a named contact person
    (art. 33); one open record per member and kind; ``since`` not in the future. A flowing
    member may name the inflow organization in the platform (``check_inflow``; art. 32) — its
    secretary is told.
    """
    today = today or timezone.localdate()
    whereabouts, contact_person = (whereabouts or "").strip(), (contact_person or "").strip()
    activity_cert_no = (activity_cert_no or "").strip()
    if kind not in AwayKind.values:
        raise ValidationError({"kind": [ValidationError(_("Choose one of the listed values."), code="invalid_choice")]})
    if since > today:
        raise ValidationError({"since": [ValidationError(_("The date is in the future."), code="in_future")]})
    if kind == AwayKind.FLOWING:
        if since > same_day_months_later(today, -cfg("flowing_after_months")):
            raise ValidationError({"since": [ValidationError(_("A flowing member is away for at least %(n)s months without transferring (art. 32); away since %(d)s is shorter.") % {"n": cfg("flowing_after_months"), "d": since}, code="not_away_long_enough")]})
        if not contact_person:
            raise ValidationError({"contact_person": [ValidationError(_("Name the person who keeps contact with the flowing member (art. 33)."), code="no_contact_person")]})
        if not whereabouts:
            raise ValidationError({"whereabouts": [ValidationError(_("Say where the member is."), code="no_whereabouts")]})
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.state != RecordState.ACTIVE:
            raise ValidationError(_("This record is closed."), code="record_closed")
        if AwayRecord.objects.filter(member=member, kind=kind, closed_on__isnull=True).exists():
            raise ValidationError(_("%(m)s is already on this register.") % {"m": member.name}, code="already_registered")
        check_inflow(member, kind, inflow_org, activity_cert_no)
        rec = AwayRecord.objects.create(member=member, org=member.org, org_path=member.org_path, kind=kind, since=since,
                                        whereabouts=whereabouts[:200], contact_person=contact_person[:64],
                                        inflow_org=inflow_org,
                                        activity_cert_no=activity_cert_no[:40], created_by=_uid(actor))
        audit.record(actor=actor, action="transfers.flag_away", obj=rec, org_path=rec.org_path,
                     data={"member": member.pk, "kind": kind, "since": since,
                           "inflow_org": inflow_org.pk if inflow_org else None, "activity_cert_no": rec.activity_cert_no})
        if inflow_org is not None:
            _notify_inflow(actor, rec)
        return rec


def set_inflow(*, actor, record: AwayRecord, inflow_org: Organization | None, activity_cert_no: str = "") -> AwayRecord:
    """Name, change or clear the inflow organization of an open flowing entry and its 流动党员
    活动证 number (教育管理条例 arts. 9, 32; rules of ``check_inflow``). Audited with the values
    before and after; a newly named inflow organization's secretary is told. Org life already
    counted for the home branch stays as it was (the attendance rows record where it took place)."""
    activity_cert_no = (activity_cert_no or "").strip()
    with transaction.atomic():
        rec = AwayRecord.objects.select_for_update().select_related("member", "org").get(pk=record.pk)
        if rec.closed_on:
            raise ValidationError(_("This record is closed."), code="record_closed")
        if inflow_org is not None:
            inflow_org = Organization.objects.get(pk=inflow_org.pk)
        check_inflow(rec.member, rec.kind, inflow_org, activity_cert_no)
        before = {"inflow_org": rec.inflow_org_id, "activity_cert_no": rec.activity_cert_no}
        after = {"inflow_org": inflow_org.pk if inflow_org else None, "activity_cert_no": activity_cert_no[:40]}
        if before == after:
            raise ValidationError(_("Nothing was changed."), code="nothing_changed")
        rec.inflow_org, rec.inflow_path = inflow_org, inflow_org.path if inflow_org else ""
        rec.activity_cert_no = activity_cert_no[:40]
        rec.save(update_fields=["inflow_org", "inflow_path", "activity_cert_no"])
        audit.record(actor=actor, action="transfers.inflow_set", obj=rec, org_path=rec.org_path,
                     data={"member": rec.member_id, "before": before, "after": after})
        if inflow_org is not None and before["inflow_org"] != inflow_org.pk:
            _notify_inflow(actor, rec)
        return rec


def log_contact(*, actor, record: AwayRecord, contacted_on: dt.date, method: str, reached: bool = True, note: str = "") -> ContactLog:
    """Add a contact log entry; a successful contact updates the record's last contact."""
    if contacted_on > timezone.localdate():
        raise ValidationError({"contacted_on": [ValidationError(_("The date is in the future."), code="in_future")]})
    with transaction.atomic():
        rec = AwayRecord.objects.select_for_update().get(pk=record.pk)
        if rec.closed_on:
            raise ValidationError(_("This record is closed."), code="record_closed")
        if contacted_on < rec.since and rec.kind != AwayKind.LOST:
            raise ValidationError({"contacted_on": [ValidationError(_("The date is before the member went away."), code="before_away")]})
        log = ContactLog.objects.create(record=rec, contacted_on=contacted_on, method=method,
                                        reached=reached, note=(note or "")[:300], by=_uid(actor))
        if reached and (rec.last_contact_on is None or contacted_on > rec.last_contact_on):
            rec.last_contact_on = contacted_on
            rec.save(update_fields=["last_contact_on"])
        audit.record(actor=actor, action="transfers.contact", obj=rec, org_path=rec.org_path,
                     data={"on": contacted_on, "method": method, "reached": reached})
        return log


def close_away(*, actor, record: AwayRecord, reason: str) -> AwayRecord:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [ValidationError(_("Give the reason."), code="no_reason")]})
    with transaction.atomic():
        rec = AwayRecord.objects.select_for_update().get(pk=record.pk)
        if rec.closed_on:
            raise ValidationError(_("This record is closed."), code="record_closed")
        rec.closed_on, rec.close_reason = timezone.localdate(), reason[:200]
        rec.save(update_fields=["closed_on", "close_reason"])
        audit.record(actor=actor, action="transfers.close_away", obj=rec, org_path=rec.org_path, data={"reason": reason})
        return rec


def last_contact(rec: AwayRecord) -> dt.date:
    return rec.last_contact_on or rec.since


def away_findings(rec: AwayRecord, today: dt.date) -> list[tuple[str, str, str]]:
    """(rule id, level, message) for one register entry (DOMAIN §11 "Organisational relationship")."""
    out = []
    if rec.closed_on:
        return out
    lc = last_contact(rec)
    if rec.kind == AwayKind.FLOWING and lc <= same_day_months_later(today, -cfg("no_contact_warn_months")):
        out.append(("R2", "warn", _("No contact for %(n)s months or more (last %(d)s).") % {"n": cfg("no_contact_warn_months"), "d": lc}))
    if rec.kind == AwayKind.LOST and rec.since <= same_day_months_later(today, -cfg("lost_contact_stop_months")):
        out.append(("R3", "block", _("Lost contact since %(d)s (≥%(n)s months): a “stop membership” case is due (art. 24).") % {"d": rec.since, "n": cfg("lost_contact_stop_months")}))
    if rec.kind == AwayKind.ABROAD:
        if lc <= same_day_months_later(today, -cfg("abroad_contact_months")):
            out.append(("R4", "warn", _("Studying abroad: contact at least every %(n)s months (art. 34); last %(d)s.") % {"n": cfg("abroad_contact_months"), "d": lc}))
        if rec.since <= add_years(today, -cfg("abroad_stop_years")):
            out.append(("R5", "block", _("Abroad for more than %(n)s years: a “stop membership” case is due (art. 24).") % {"n": cfg("abroad_stop_years")}))
    if rec.kind == AwayKind.GRADUATE and rec.since < add_years(today, -cfg("graduate_at_school_years")):
        out.append(("R6", "warn", _("The relationship has stayed at the school for more than %(n)s years after graduation (art. 34).") % {"n": cfg("graduate_at_school_years")}))
    return out


def open_case(*, actor, member: Member, kind: str, basis: str, record: AwayRecord | None = None,
              on: dt.date | None = None) -> MembershipCase:
    """Open a membership case for people to decide (art. 24); one open case per member and kind."""
    basis = (basis or "").strip()
    if not basis:
        raise ValidationError({"basis": [ValidationError(_("Give the basis of the case."), code="no_basis")]})
    if kind not in CaseKind.values:
        raise ValidationError({"kind": [ValidationError(_("Choose one of the listed values."), code="invalid_choice")]})
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if MembershipCase.objects.filter(member=member, kind=kind, status=CaseStatus.OPEN).exists():
            raise ValidationError(_("An open case of this kind exists for %(m)s.") % {"m": member.name}, code="open_case_exists")
        case = MembershipCase.objects.create(member=member, record=record, org=member.org, org_path=member.org_path,
                                             kind=kind, basis=basis[:300], opened_on=on or timezone.localdate(),
                                             opened_by=_uid(actor))
        audit.record(actor=actor, action="transfers.case_open", obj=case, org_path=case.org_path,
                     data={"member": member.pk, "kind": kind, "basis": basis})
        notify(recipients=[RoleIn(member.org, Role.SECRETARY)], kind="transfers.case_opened",
               context={"member": member.name, "case": case.get_kind_display(), "case_id": case.pk},
               org=member.org, actor=_uid(actor))
        return case


def raise_lapse_review(*, actor, member: Member, basis: str, since: dt.date, on: dt.date | None = None) -> MembershipCase | None:
    """Open a 自行脱党 review case (kind LAPSED) for people to decide — 党员教育管理工作条例 art.
    31(6), DOMAIN §1.1 / §11 "6 consecutive months without good reason → raise a 自行脱党 review
    case"; the decision belongs to the 支部大会 with upper approval, the system never removes anyone.

    Idempotent for scheduled callers: returns ``None`` (and writes nothing) when the member is no
    longer on record, when a LAPSED case of the member is open or decided, or when one was opened
    on or after ``since`` (the first day of the run of months that calls for it — a dismissed case
    is raised again only after a whole new run of months after it)."""
    with transaction.atomic():
        m = Member.objects.select_for_update().get(pk=member.pk)
        if m.state != RecordState.ACTIVE:
            return None
        cases = MembershipCase.objects.filter(member=m, kind=CaseKind.LAPSED)
        if cases.filter(status__in=[CaseStatus.OPEN, CaseStatus.DECIDED]).exists() or cases.filter(opened_on__gte=since).exists():
            return None
        return open_case(actor=actor, member=m, kind=CaseKind.LAPSED, basis=basis, on=on)


def decide_case(*, actor, case: MembershipCase, outcome: str, note: str, on: dt.date | None = None) -> MembershipCase:
    """Record the people's decision (``outcome``: "decided" — membership stopped / removal
    decided by the 支部大会 with upper approval — or "dismissed"). Only an authorised person
    decides (the view checks "flowing.manage"); the record says which body decided."""
    note = (note or "").strip()
    if outcome not in (CaseStatus.DECIDED, CaseStatus.DISMISSED):
        raise ValidationError({"outcome": [ValidationError(_("Choose one of the listed values."), code="invalid_choice")]})
    if not note:
        raise ValidationError({"note": [ValidationError(_("Say what was decided and by which body."), code="no_decision")]})
    on = on or timezone.localdate()
    with transaction.atomic():
        c = MembershipCase.objects.select_for_update().get(pk=case.pk)
        if c.status != CaseStatus.OPEN:
            raise ValidationError(_("This case is already closed."), code="case_closed")
        if on < c.opened_on or on > timezone.localdate():
            raise ValidationError({"on": [ValidationError(_("The decision date lies between the opening of the case and today."), code="date_out_of_range")]})
        c.status, c.decided_on, c.decided_by, c.decision_note = outcome, on, _uid(actor), note[:300]
        c.save()
        audit.record(actor=actor, action="transfers.case_decide", obj=c, org_path=c.org_path,
                     data={"outcome": outcome, "note": note})
        return c


def run_daily(today: dt.date | None = None) -> dict[str, int]:
    """The daily job: expire letters, warn on missing receipts, warn on flowing members without
    contact, open the cases art. 24 calls for (lost ≥6 months, abroad >5 years, 2 years after a
    stop). Nobody is stopped or removed: cases wait for people."""
    today = today or timezone.localdate()
    counts = {"expiring": 0, "expired": 0, "receipt": 0, "no_contact": 0, "cases": 0}
    remind_on = today + dt.timedelta(days=cfg("expiry_remind_days"))
    for t in Transfer.objects.filter(status=TransferStatus.ISSUED, valid_until=remind_on).select_related("from_org", "to_org", "member"):
        with transaction.atomic():
            _notify("transfers.expiring", _side_recipients(t.to_org) + [t.member], t, None, t.to_org,
                    valid_until=t.valid_until.isoformat())
        counts["expiring"] += 1
    for t in Transfer.objects.filter(status=TransferStatus.ISSUED, valid_until__lt=today):
        expire_transfer(actor=None, transfer=t, today=today)
        counts["expired"] += 1
    for t in Transfer.objects.filter(status=TransferStatus.LEFT, receipt_warned=False):
        counts["receipt"] += warn_receipt_overdue(actor=None, transfer=t, today=today)
    for rec in AwayRecord.objects.filter(closed_on__isnull=True).select_related("member", "org"):
        for rule, _level, message in away_findings(rec, today):
            if rule in ("R2", "R4") and (rec.warned_on is None or rec.warned_on <= same_day_months_later(today, -1)):
                with transaction.atomic():
                    AwayRecord.objects.filter(pk=rec.pk).update(warned_on=today)
                    notify(recipients=[RoleIn(rec.org, Role.SECRETARY)], kind="transfers.no_contact",
                           context={"member": rec.member.name, "finding": message, "record_id": rec.pk}, org=rec.org)
                counts["no_contact"] += 1
            if rule in ("R3", "R5") and rec.member.state == RecordState.ACTIVE and not MembershipCase.objects.filter(
                    member=rec.member, kind=CaseKind.STOP).exclude(status=CaseStatus.DISMISSED).exists():
                open_case(actor=None, member=rec.member, kind=CaseKind.STOP, basis=f"{rule}: {message}", record=rec, on=today)
                counts["cases"] += 1
    limit = add_years(today, -cfg("stop_to_removal_years"))
    for c in MembershipCase.objects.filter(kind=CaseKind.STOP, status=CaseStatus.DECIDED, decided_on__lte=limit).select_related("member"):
        if c.member.state == RecordState.ACTIVE and not MembershipCase.objects.filter(member=c.member, kind=CaseKind.LAPSED).exists():
            open_case(actor=None, member=c.member, kind=CaseKind.LAPSED, record=c.record, on=today,
                      basis=_("Membership stopped on %(d)s and still unreachable after %(n)s years (art. 24): review removal as self-lapsed.") % {"d": c.decided_on, "n": cfg("stop_to_removal_years")})
            counts["cases"] += 1
    return counts
