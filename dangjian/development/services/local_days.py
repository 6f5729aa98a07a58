"""The local working-day calendar (DOMAIN §11 [cfg] "holiday calendar needed"): exceptions of an
organization's subtree that the publicity windows count with."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.models import Organization

from .. import rules
from ._common import _refuse


def set_local_day(*, actor, org: Organization, date: dt.date, is_working_day: bool, note: str = ""):
    """Add or change a local calendar exception for an organization's subtree (DOMAIN §11 [cfg]
    "holiday calendar needed"); POLICY ``development.calendar``; entered by a person, not the system."""
    from ..models import LocalHoliday

    policy.authorize(actor, "development", "calendar", org)
    pack = rules.get_pack()
    with transaction.atomic():
        if actor is None:
            _refuse(pack, "human_conclusion", _("You may not change the calendar of this organization."))
        if not date:
            raise ValidationError({"date": [ValidationError(_("This field is required."), code="required")]})
        row, created = LocalHoliday.objects.update_or_create(org=org, date=date, defaults={
            "org_path": org.path, "is_working_day": bool(is_working_day), "note": (note or "")[:200], "created_by": actor})
        audit.record(actor=actor, action="development.calendar_set", obj=row, org_path=org.path,
                     data={"date": date, "is_working_day": bool(is_working_day), "note": note, "created": created})
    return row


def delete_local_day(*, actor, row) -> None:
    """Remove a local calendar exception (POLICY ``development.calendar``); by a person, not the system."""
    policy.authorize(actor, "development", "calendar", row)
    with transaction.atomic():
        if actor is None:
            raise ValidationError(_("You may not change the calendar of this organization."), code="human_conclusion")
        audit.record(actor=actor, action="development.calendar_delete", obj=row, data={"date": row.date})
        row.delete()
