"""Terms of office (Term, TermAdjustment, TermReminder) — DOMAIN §2 "Terms", §11 "Structure &
terms" (rule version ``conf.RULE_VERSION``).

* Terms ([cfg] via ``core.services.term_years``): village/community 5 y, other branch / general
  branch 3 y, primary committee 5 y (党章 art. 31; 2018 意见). Term end = election date + term.
* [remind] 6 months before the end, to the secretary and the upper organization (daily job).
* Postponing or advancing the election needs the upper organization's approval, by ≤ 1 year
  (选举工作条例 art. 3) — [block] beyond, measured from the regular end of the term.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import api as core_services
from dangjian.core import audit, policy
from dangjian.core.dates import same_day_months_later
from dangjian.core.models import Organization, Role
from dangjian.notify.api import RoleIn, notify

from ..conf import cfg
from ..models import AdjustKind, AdjustStatus, Term, TermAdjustment, TermReminder
from ._common import _uid

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
    """Ask the upper organization to postpone or advance the election (≤ 1 year, art. 3). Row
    ``election.manage`` on ``org``."""
    policy.authorize(actor, "election", "manage", org)
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
    or refuses. Row ``election.approve`` on the request (strictly lower organizations only: an
    organization never approves its own postponement)."""
    policy.authorize(actor, "election", "approve", adjustment)
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
