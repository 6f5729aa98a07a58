"""The decisions at the end of a probation other than the conversion: extend it once, or cancel
the probationary membership (党章 art. 7; DOMAIN §4.2)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.dates import same_day_months_later
from dangjian.members import api as member_services

from .. import conf, rules
from ..models import (
    CaseStatus,
    CaseStep,
    DevelopmentCase,
)
from ._common import _authorise, _refuse, _today, _warn
from .steps import _check_roll, _check_vote

VOTE_FIELDS = ("voters_total", "voters_present", "yes", "no", "abstain", "written_total", "written_yes")


def extend_probation(*, actor, case: DevelopmentCase, date: dt.date, months: int, vote: dict | None = None,
                     note: str = "") -> DevelopmentCase:
    """Extend the probation once, by 6 to 12 months, on the decision of the 支部大会 held when
    the probation ends (党章 art. 7: "预备期满时…需要继续考察和教育的，可以延长预备期，但不能超过
    一年"; DOMAIN §4.2 "At expiry the branch discusses promptly: … or extend once, ≥6 months and
    ≤1 year … each needs 支部大会 + upper approval", §11).

    [block] ``extension_once_6_12`` — once only, 6 to 12 months; ``extension_at_expiry`` — the
    meeting (``date``) is not earlier than ``conf.extension_grace_days()`` days (default 30)
    before the end of the probation; ``vote_majority`` — ``vote`` (应到 ``voters_total``, 实到
    ``voters_present``, ``yes``/``no``/``abstain``, written opinions) has a quorum and a majority
    of 应到, checked like the admission and conversion votes (支部工作条例 art. 11), and 应到 not above
    the voting members on the roll of that day. The decision needs the upper committee's
    approval, so it is entered with the "approve" action; the new end is the old end plus the
    months. The meeting's date and vote are stored on the case."""
    policy.authorize(actor, "development", "approve", case)
    with transaction.atomic():
        case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
        pack = case.pack
        _authorise(actor, "approve", case, pack)
        if case.status != CaseStatus.OPEN or not 17 <= case.last_code <= 22 or not case.probation_end:
            _refuse(pack, "extension_once_6_12", _("Only a probation in progress (before the conversion meeting) can be extended."))
        if case.extended_months:
            _refuse(pack, "extension_once_6_12", _("The probation has already been extended once."))
        try:
            months = int(months)
        except (TypeError, ValueError):
            months = 0
        if not 6 <= months <= 12:
            _refuse(pack, "extension_once_6_12", _("An extension lasts at least 6 and at most 12 months."), "months")
        last = CaseStep.objects.filter(case=case).order_by("-code").first()
        if not date or date > _today() or date < last.date:
            raise ValidationError({"date": [ValidationError(_("The date must lie between the last step (%(d)s) and today.") % {"d": last.date}, code="date_out_of_range")]})
        earliest = case.probation_end - dt.timedelta(days=conf.extension_grace_days())
        if date < earliest:
            _refuse(pack, "extension_at_expiry", _("The probation ends on %(e)s: the branch general meeting decides on an extension "
                                                   "when it ends, on %(d)s at the earliest.") % {"e": case.probation_end, "d": earliest}, "date")
        vote = {k: (vote or {}).get(k) for k in VOTE_FIELDS}
        _check_vote(pack, vote)
        roll = _check_roll(case, pack, date, vote)
        old = case.probation_end
        case.probation_end = same_day_months_later(old, months)
        case.extended_months = months
        case.extended_on = date
        case.extension_vote = vote
        case.updated_at = timezone.now()
        case.save(update_fields=["probation_end", "extended_months", "extended_on", "extension_vote", "updated_at"])
        if roll:
            _warn(case, pack, roll[0], roll[1], None, roll[2])
        _warn(case, pack, "extension_once_6_12", _("Probation extended by %(m)s months on %(d)s: it now ends on %(e)s.")
              % {"m": months, "d": date, "e": case.probation_end}, None, rules.WARN)
        audit.record(actor=actor, action="development.extend", obj=case,
                     data={"months": months, "date": date, "from": old, "to": case.probation_end, "vote": vote, "note": note})
    return case


def cancel_probation(*, actor, case: DevelopmentCase, date: dt.date, decision: str) -> DevelopmentCase:
    """Cancel the probationary membership (取消预备党员资格; 党章 art. 7, DOMAIN §4.2: at expiry the
    branch converts, extends once, or cancels — each by a 支部大会 with the upper committee's
    approval, so it is entered with the "approve" action). The case closes as stopped and the
    probationary member's record is closed (``members.services.close_record``): the member is no
    longer on the roll, the record and its history stay readable. ``decision``: the meeting and
    the approval (document number)."""
    policy.authorize(actor, "development", "approve", case)
    with transaction.atomic():
        case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
        pack = case.pack
        _authorise(actor, "approve", case, pack)
        if case.status != CaseStatus.OPEN or not 17 <= case.last_code <= 22 or case.member_id is None:
            raise ValidationError(_("Only a probation in progress (admitted, not yet converted) can be cancelled."), code="not_in_probation")
        decision = (decision or "").strip()
        if not decision:
            raise ValidationError({"decision": [ValidationError(_("Enter the 支部大会 decision and the upper committee's approval (document number)."), code="no_decision")]})
        last = CaseStep.objects.filter(case=case).order_by("-code").first()
        if not date or date > _today() or date < last.date:
            raise ValidationError({"date": [ValidationError(_("The date must lie between the last step (%(d)s) and today.") % {"d": last.date}, code="date_out_of_range")]})
        reason = f"取消预备党员资格：{decision}"[:300]
        member_services.close_record(actor=actor, member=case.member, reason=reason, on=date)
        case.status, case.stop_reason, case.updated_at = CaseStatus.STOPPED, reason, timezone.now()
        case.save(update_fields=["status", "stop_reason", "updated_at"])
        audit.record(actor=actor, action="development.cancel_probation", obj=case,
                     data={"date": date, "decision": decision[:200], "member": case.member_id, "at_step": case.last_code})
    return case
