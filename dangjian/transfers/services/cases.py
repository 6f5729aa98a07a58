"""Membership cases (MembershipCase) for people to decide — 党员教育管理工作条例 arts. 24, 31(6);
DOMAIN §1.1, §11 "Organisational relationship".

* Lost contact ≥6 months or abroad >5 years → a "stop membership" case; 2 years after the stop
  → a 自行脱党 removal review (kind LAPSED); 6 consecutive months without good reason → a
  自行脱党 review (:func:`raise_lapse_review`, called by supervision through ``transfers.api``).
* One open case per member and kind. Cases are decided by people only (the 支部大会 with upper
  approval): the system never stops or removes anyone.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.models import Role
from dangjian.members.api import Member, RecordState
from dangjian.notify.api import RoleIn, notify

from ..models import AwayRecord, CaseKind, CaseStatus, MembershipCase
from ._common import _uid


def open_case(*, actor, member: Member, kind: str, basis: str, record: AwayRecord | None = None,
              on: dt.date | None = None) -> MembershipCase:
    """Open a membership case for people to decide (art. 24); one open case per member and kind."""
    policy.authorize(actor, "flowing", "manage", member.org_path)
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
    policy.authorize(actor, "flowing", "manage", member.org_path)
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
    decides ("flowing.manage" over the case's organization); the record says which body decided."""
    policy.authorize(actor, "flowing", "manage", case)
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
