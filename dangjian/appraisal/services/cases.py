"""Aggregate: the disposition case of a member graded 不合格 — the branch's decision and the
限期改正 end-date reminders.

Rules (DOMAIN §6: education first, then organisational disposition by procedure; §11 "限期改正
≤1 year with a help plan and end-date reminder"; 党员教育管理工作条例 arts. 30–31): decisions are
recorded here and carried out by people — nothing in the member's record changes.

Plain functions, keyword-only, actor first; each runs in one transaction, writes an audit row and
raises ``ValidationError`` with a message the user can act on. Permission (who may call which
function on which organization) is the POLICY table's: the views load through the scope and each
function asserts its actor first (``policy.authorize``, decisions.md 38); the rules after that
are the domain's.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.dates import same_day_months_later

from ..models import CaseStatus, DispositionCase, Outcome
from ._common import _uid


def decide_case(*, actor, case: DispositionCase, outcome: str, note: str, decided_on: dt.date | None = None,
                correct_until: dt.date | None = None, help_plan: str = "") -> DispositionCase:
    """Record the branch's decision on a member graded 不合格 (DOMAIN §6; §11 "限期改正 ≤1 year").
    Education and help come first; 限期改正 needs an end date within one year; 劝退 / 除名 are
    decisions of the 支部大会 with the upper organization's approval — recorded here, carried out
    by people (nothing in the member's record changes)."""
    policy.authorize(actor, "appraisal_case", "decide", case)
    decided_on = decided_on or timezone.localdate()
    note = (note or "").strip()
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": [ValidationError(_("Choose the decision."), code="no_outcome")]})
    if not note:
        raise ValidationError({"note": [ValidationError(_("Say what was decided and by which body (支委会, 支部大会)."), code="no_note")]})
    if outcome == Outcome.CORRECT:
        if correct_until is None:
            raise ValidationError({"correct_until": [ValidationError(_("限期改正 needs the date by which to correct."), code="no_correct_until")]})
        if not (decided_on < correct_until <= same_day_months_later(decided_on, 12)):
            raise ValidationError({"correct_until": [ValidationError(_("The time limit is at most one year from the decision."), code="over_a_year")]})
        help_plan = (help_plan or "").strip()
        if not help_plan:
            raise ValidationError({"help_plan": [ValidationError(_("限期改正 comes with a help plan: who helps, how, how often."), code="no_help_plan")]})
    else:
        correct_until, help_plan = None, ""
    if decided_on > timezone.localdate() or decided_on < case.opened_on:
        raise ValidationError({"decided_on": [ValidationError(_("The decision date lies between the opening of the case and today."), code="bad_decision_date")]})
    with transaction.atomic():
        c = DispositionCase.objects.select_for_update().get(pk=case.pk)
        if c.status != CaseStatus.OPEN:
            raise ValidationError(_("The case is already decided."), code="decided")
        c.status, c.outcome, c.decision_note, c.decided_on, c.correct_until, c.decided_by = (
            CaseStatus.DECIDED, outcome, note[:500], decided_on, correct_until, _uid(actor))
        c.help_plan = help_plan[:2000]
        c.save()
        audit.record(actor=actor, action="appraisal.case_decided", obj=c,
                     data={"member": c.member_id, "outcome": outcome, "correct_until": correct_until})
        return c


CORRECTION_REMINDER_DAYS = 30


def correction_reminders(today: dt.date | None = None) -> int:
    """限期改正 end-date reminders (DOMAIN §11 "限期改正 ≤1 year with a help plan and end-date
    reminder"; 党员教育管理工作条例 arts. 30–31): the branch secretary is told once
    ``CORRECTION_REMINDER_DAYS`` before the time limit ends, and once when it has ended — the
    branch then reviews whether the member corrected (a member who did not may be removed by
    the 支部大会 with upper approval; the platform changes nothing). Idempotent."""
    from dangjian.core.models import Role
    from dangjian.notify.api import RoleIn, notify

    today = today or timezone.localdate()
    sent = 0
    cases = DispositionCase.objects.filter(outcome=Outcome.CORRECT, correct_until__isnull=False).select_related("member", "org")
    for c in cases.filter(reminded_before_on__isnull=True, correct_until__gt=today,
                          correct_until__lte=today + dt.timedelta(days=CORRECTION_REMINDER_DAYS)):
        with transaction.atomic():
            notify(recipients=[RoleIn(c.org, Role.SECRETARY)], kind="appraisal.correction_due", org=c.org, actor=None,
                   channels=("inbox",), context={"member": c.member.name, "date": c.correct_until.isoformat(), "case_id": c.pk})
            DispositionCase.objects.filter(pk=c.pk).update(reminded_before_on=today)
        sent += 1
    for c in cases.filter(reminded_end_on__isnull=True, correct_until__lte=today):
        with transaction.atomic():
            notify(recipients=[RoleIn(c.org, Role.SECRETARY)], kind="appraisal.correction_ended", org=c.org, actor=None,
                   channels=("inbox",), context={"member": c.member.name, "date": c.correct_until.isoformat(), "case_id": c.pk})
            DispositionCase.objects.filter(pk=c.pk).update(reminded_end_on=today)
        sent += 1
    return sent
