"""Helpers shared by the submodules of ``transfers.services``: the acting user as stored, the
year arithmetic of the registers and the daily job, the system-only guard, the locked transfer
and its status check, the member's sending branch, and the notifications of a transfer and who
receives them on each side."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core.dates import same_day_months_later
from dangjian.core.models import Organization, OrgKind, Role
from dangjian.core.policy import NotPermitted
from dangjian.members.api import Member
from dangjian.notify.api import RoleIn, notify

from ..models import Transfer
from .letters import approver_org


def add_years(d: dt.date, years: int) -> dt.date:
    """The same day ``years`` years later; 29 February → 28 February (a duration, see
    :func:`dangjian.core.dates.same_day_months_later`)."""
    return same_day_months_later(d, 12 * years)


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


def _system_only(actor) -> None:
    """The daily job's steps (expire a letter, warn on a missing receipt) are the system's
    (``actor`` None); a user is refused (``not_permitted``)."""
    if actor is not None:
        raise NotPermitted(_("Only the system does this."))


def _locked(transfer: Transfer) -> Transfer:
    return Transfer.objects.select_for_update().get(pk=transfer.pk)


def _require_status(t: Transfer, *allowed: str) -> None:
    if t.status not in allowed:
        raise ValidationError(_("This transfer is “%(s)s”; that step is not possible now.") % {"s": t.get_status_display()}, code="wrong_status")


def _sending_branch(member: Member) -> Organization:
    org = member.org
    return org.parent if org.kind == OrgKind.PARTY_GROUP and org.parent else org


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
