"""Transfers across the platform's edge (Transfer, kinds OUT and IN) — DOMAIN §5, 组通字〔2006〕45号.

* A letter to an organization outside the platform: its receipt (回执) is recorded when it comes
  back; §11 [warn] it is not back within 1 month ([cfg] ``receipt_due_days`` after the letter's
  last valid day) — warned once.
* A member transferred in from outside: the incoming letter is registered and the member added
  through ``members.services.create_member`` (all member validations apply).
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.errors import collected
from dangjian.core.models import Organization
from dangjian.members import api as member_services
from dangjian.members.api import MemberOrgHistory

from ..conf import cfg
from ..models import Transfer, TransferKind, TransferStatus
from ._common import _locked, _notify, _require_status, _side_recipients, _system_only, _uid


def mark_receipt_returned(*, actor, transfer: Transfer, on: dt.date | None = None) -> Transfer:
    """The receipt (回执) of a letter to an outside organization came back (45号)."""
    policy.authorize(actor, "transfer", "request", transfer)
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


@policy.authorized_by("system only: called by the daily job (run_daily, periodic transfers.daily) with actor=None; "
                      "_system_only refuses any user")
def warn_receipt_overdue(*, actor, transfer: Transfer, today: dt.date | None = None) -> bool:
    """§11 [warn] once, when the receipt of a letter to an outside organization is overdue."""
    _system_only(actor)
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
    policy.authorize(actor, "transfer_in", "accept", org)
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
