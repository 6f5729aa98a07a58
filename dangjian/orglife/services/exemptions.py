"""Exemptions (Exemption): members exempt from attending org life by rule (DOMAIN §1.1,
教育管理条例 art. 23); new meetings invite them as EXEMPT, out of the denominator (DOMAIN §11)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.errors import collected, refusal
from dangjian.members.api import Member, RecordState

from ..models import Exemption, ExemptionBasis


def create_exemption(*, actor, member: Member, basis: str, note: str, starts_on: dt.date, ends_on: dt.date | None) -> Exemption:
    """Mark a member exempt from attending org life by rule (DOMAIN §1.1, 教育管理条例 art. 23:
    old, frail, immobile or gravely ill members have no hard requirement; the branch brings study
    to them). New meetings invite them as EXEMPT, left out of the denominator (DOMAIN §11)."""
    policy.authorize(actor, "exemption", "manage", member)
    errors = []
    if basis not in ExemptionBasis.values:
        errors.append(refusal("no_basis", _("Choose the basis of the exemption."), field="basis"))
    if ends_on is not None and starts_on and ends_on < starts_on:
        errors.append(refusal("ends_before_start", _("The end date is before the start date."), field="ends_on"))
    if member.state != RecordState.ACTIVE:
        errors.append(refusal("member_inactive", _("%(name)s is no longer in the organization.") % {"name": member.name},
                              field="member"))
    if errors:
        raise collected(errors)
    with transaction.atomic():
        overlap = Exemption.objects.filter(member=member, active=True).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        if ends_on is not None:
            overlap = overlap.filter(starts_on__lte=ends_on)
        if overlap.exists():
            raise refusal("overlap", _("%(name)s already has an exemption for this time.") % {"name": member.name}, field="member")
        ex = Exemption.objects.create(member=member, basis=basis, note=(note or "").strip()[:200],
                                      starts_on=starts_on, ends_on=ends_on, created_by=actor)
        # the note may describe health: it stays on the record and out of the audit data
        audit.record(actor=actor, action="orglife.exemption_create", obj=ex,
                     data={"member": member.pk, "basis": basis, "starts_on": starts_on, "ends_on": ends_on})
    return ex


def end_exemption(*, actor, exemption: Exemption) -> Exemption:
    """End an exemption today (the member is invited normally again to new meetings)."""
    policy.authorize(actor, "exemption", "manage", exemption)
    with transaction.atomic():
        today = timezone.localdate()
        n = Exemption.objects.filter(pk=exemption.pk, active=True).update(
            active=False, ended_by=actor, ended_at=timezone.now(),
            ends_on=min(exemption.ends_on or today, today) if exemption.starts_on <= today else exemption.starts_on)
        if not n:
            raise ValidationError(_("This exemption has already ended."), code="already_ended")
        exemption.refresh_from_db()
        audit.record(actor=actor, action="orglife.exemption_end", obj=exemption, data={"member": exemption.member_id})
    return exemption
