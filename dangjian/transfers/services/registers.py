"""Registers of flowing, lost-contact, abroad and graduate members (AwayRecord, ContactLog) —
党员教育管理工作条例 arts. 24, 32-34; DOMAIN §1.1, §5, §11 "Organisational relationship".

* A flowing member is away ≥6 months ([cfg]) without transferring and has a named contact person
  (art. 33); one home branch, and org life also at an inflow organization of the platform (art.
  32) with the 流动党员活动证 number (art. 9) — :func:`check_inflow`.
* Findings on each open entry (:func:`away_findings`, months and years [cfg]): R2 flowing, no
  contact ≥6 months [warn]; R3 lost contact ≥6 months → a "stop membership" case is due [block];
  R4 abroad, contact at least every 6 months [warn]; R5 abroad >5 years → a stop case is due
  [block]; R6 graduate whose relationship stays at the school >2 years [warn]. The cases are
  opened by the daily job (:mod:`.daily`) and decided by people (:mod:`.cases`).
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.dates import same_day_months_later
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, Role
from dangjian.members.api import Member, RecordState
from dangjian.notify.api import RoleIn, notify

from ..conf import cfg
from ..models import AwayKind, AwayRecord, ContactLog
from ._common import _sending_branch, _uid, add_years

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
    policy.authorize(actor, "flowing", "manage", member.org_path)
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
    policy.authorize(actor, "flowing", "manage", record)
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
    policy.authorize(actor, "flowing", "manage", record)
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
    """Take a member off a register (the entry is closed with its reason, never deleted)."""
    policy.authorize(actor, "flowing", "manage", record)
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
