"""Recording the next step of a case (DOMAIN §4.1, rule ``step_order``), the step-specific rules,
the votes of the 支部大会 and the side effects on the member roll (steps 17, 24, 25)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.dates import same_day_months_later
from dangjian.members import api as member_services
from dangjian.members.api import Member, MemberStatus, RecordState

from .. import rules
from ..models import (
    CaseStatus,
    CaseStep,
    DevelopmentCase,
    PublicityPoint,
)
from ..rules import ARCHIVE_DOCUMENTS, STEP_BY_CODE
from ._common import _authorise, _refuse, _step_dates, _today, _warn
from .opening import _documents
from .publicity import _check_publicity


def record_step(*, actor, case: DevelopmentCase, code: int, date: dt.date, documents=None, conclusion: str = "",
                note: str = "", data: dict | None = None) -> CaseStep:
    """Record step ``code`` of a case — only the next one (DOMAIN §4.1, rule ``step_order``).

    [block] rules checked here (DOMAIN §11, articles per the case's pack — see :mod:`.rules`):
    ``step_order`` (no skip/repeat/reorder; dates never earlier than the previous step's, never in
    the future), ``human_conclusion``, ``contacts_1_2`` (step 5), ``activist_1y`` and
    ``publicity_object`` (step 7), ``introducers_2_full`` (step 9), ``political_review`` (10 and
    everything after), ``training_3d_24h`` (11), ``prereview_before_vote`` (13 before 15),
    ``publicity_admission`` and ``vote_majority`` (15), ``conversion_after_expiry``,
    ``publicity_conversion`` and ``vote_majority`` (23), ``archive_5_docs`` (25).
    [warn] stored: ``talk_1m`` (2), ``leaving_3m`` (12), ``meeting_1m_after_prereview`` (15),
    ``approval_3m``/``approval_6m`` (17), ``oath_1m`` (20), ``conversion_approval_3m`` (24).
    Side effects: step 17 creates the probationary Member (joined on the 支部大会 date; probation
    ends one year later, 党章 art. 7); step 24 makes them a full member from the end of
    probation (党龄, rule ``standing_from_conversion``); step 25 closes the case.
    """
    policy.authorize(actor, "development", "manage", case)
    data = dict(data or {})
    with transaction.atomic():
        case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
        pack = case.pack
        code = int(code)
        step = STEP_BY_CODE.get(code)
        if case.status != CaseStatus.OPEN:
            _refuse(pack, "step_order", _("This case is closed."))
        if step is None or code != case.last_code + 1:
            _refuse(pack, "step_order", _("Only the next step (%(n)s) can be recorded; steps are never skipped, repeated or reordered.")
                    % {"n": case.last_code + 1})
        _authorise(actor, "approve" if step.needs_approve else "manage", case, pack)
        steps = _step_dates(case)
        if not date:
            raise ValidationError({"date": [ValidationError(_("This field is required."), code="required")]})
        if date > _today():
            raise ValidationError({"date": [ValidationError(_("The date is in the future."), code="in_future")]})
        prev = steps[case.last_code]
        if date < prev.date:
            _refuse(pack, "step_order", _("The date is earlier than the previous step's (%(d)s).") % {"d": prev.date}, "date")
        pending: list[tuple[str, str, str | None]] = []  # warnings to store: (rule, message, severity)
        conclusion = _check_step(case, pack, code, date, steps, conclusion, data, pending)
        row = CaseStep.objects.create(case=case, code=code, order=step.order, date=date, body=step.body,
                                      documents=_documents(code, documents), conclusion=conclusion or "", note=note or "",
                                      data=data, entered_by=actor)
        for rid, msg, sev in pending:
            _warn(case, pack, rid, msg, code, sev)
        case.last_code = code
        case.updated_at = timezone.now()
        _side_effects(actor, case, pack, code, date, steps, data)
        case.save()
        audit.record(actor=actor, action="development.step", obj=case,
                     data={"code": code, "date": date, "conclusion": conclusion, "warnings": [p[0] for p in pending],
                           "rule_pack": pack.version})
    return row


def _full_members(ids, pack, rid: str, field: str, on: dt.date) -> list[Member]:
    """Members who are full members of the platform, on record, and whose rights are not
    restricted on ``on`` (DOMAIN §4.2 / 细则 art. 15: a member under 留党察看 whose rights are not
    restored cannot introduce; 留置 suspends the rights likewise — ``members.restricted_ids``)."""
    ids = [int(i) for i in ids or [] if str(i).isdigit()]
    found = list(Member.objects.filter(pk__in=ids))
    restricted = member_services.restricted_ids([m.pk for m in found], on)
    bad = [m for m in found if m.status != MemberStatus.FULL or m.state != RecordState.ACTIVE or m.pk in restricted]
    if len(found) != len(set(ids)) or bad:
        names = "、".join(m.name for m in bad) or "?"
        if restricted:
            msg = _("Only full members whose rights are not restricted (留党察看, 留置) can be named (not: %(n)s).")
        else:
            msg = _("Only full members of the platform can be named (not: %(n)s).")
        _refuse(pack, rid, msg % {"n": names}, field)
    return found


def _check_roll(case, pack, date: dt.date, data: dict) -> tuple[str, str, str] | None:
    """The typed 应到 against the branch roll of that day (DOMAIN §1.2, §11 [block] "a vote result
    … yes > ½ of 应到"): more voters than full members with voting rights on the roll is refused;
    fewer is a warning (members exempt by rule, 教育管理条例 art. 23, are legitimately left out —
    a smaller 应到 without them would make the majority easier)."""
    from dangjian.members.api import voting_members_on

    on_roll = len(voting_members_on(case.org, date))
    if not on_roll:
        return None  # no roll history for that day (records entered before the platform)
    total = data["voters_total"]
    if total > on_roll:
        _refuse(pack, "vote_majority", _("应到 %(t)s is more than the %(n)s full members with voting rights on the roll of %(d)s.")
                % {"t": total, "n": on_roll, "d": date}, "voters_total")
    if total < on_roll:
        return ("vote_majority", _("应到 %(t)s is fewer than the %(n)s full members with voting rights on the roll of %(d)s: "
                                   "only members exempt by rule may be left out.") % {"t": total, "n": on_roll, "d": date}, rules.WARN)
    return None


def _check_vote(pack, data: dict) -> None:
    from dangjian.minutes.api import check_vote

    try:
        counts = {k: int(data.get(k) or 0) for k in ("voters_total", "voters_present", "yes", "no", "abstain", "written_yes", "written_total")}
    except (TypeError, ValueError):
        _refuse(pack, "vote_majority", _("Enter the vote counts as whole numbers."))
    data.update(counts)
    if counts["voters_total"] < 1:
        _refuse(pack, "vote_majority", _("Enter the number of voting members who should attend."), "voters_total")
    v = check_vote(**counts)
    if not v.passed:
        msg = {
            "no_quorum": _("Not more than half of the voting members were present: the meeting could not vote."),
            "not_enough_yes": _("Yes votes (with written opinions) are not more than half of the voting members who should attend: the motion did not carry."),
            "counts_inconsistent": _("The vote counts do not add up."),
        }[v.code]
        _refuse(pack, "vote_majority", msg)


def _check_step(case, pack, code: int, date: dt.date, steps: dict, conclusion: str, data: dict, pending: list) -> str:
    """The step-specific rules; returns the conclusion to store. Raises on a [block]."""
    if code > 10 and steps.get(10) and steps[10].conclusion != "passed":
        _refuse(pack, "political_review", _("The political review did not pass: the case cannot go on (stop it instead)."))
    if code > 13 and steps.get(13) and steps[13].conclusion != "passed":
        _refuse(pack, "prereview_before_vote", _("The pre-review did not pass: no admission vote can follow (stop the case instead)."))
    if code == 2:
        due = same_day_months_later(steps[1].date, 1)
        if date > due:
            pending.append(("talk_1m", _("The talk took place after the 1-month deadline (%(d)s).") % {"d": due}, rules.WARN))
    elif code == 5:
        ids = data.get("contacts") or []
        if not 1 <= len(set(ids)) <= 2:
            _refuse(pack, "contacts_1_2", _("Appoint one or two training contacts."), "contacts")
        data["contacts"] = [m.pk for m in _full_members(ids, pack, "contacts_1_2", "contacts", date)]
    elif code == 7:
        earliest = same_day_months_later(steps[3].date, 12)
        if date < earliest:
            _refuse(pack, "activist_1y", _("Less than 1 year since the activist decision of %(a)s: the earliest date is %(d)s.")
                    % {"a": steps[3].date, "d": earliest}, "date")
        _check_publicity(case, pack, PublicityPoint.OBJECT, date)
    elif code == 9:
        ids = [i for i in (data.get("introducers") or []) if i]
        if len(set(ids)) != 2:
            _refuse(pack, "introducers_2_full", _("Name two different introducers."), "introducers")
        data["introducers"] = [m.pk for m in _full_members(ids, pack, "introducers_2_full", "introducers", date)]
    elif code in (10, 13):
        rid = "political_review" if code == 10 else "prereview_before_vote"
        if conclusion not in ("passed", "failed"):
            _refuse(pack, rid, _("Enter the written conclusion (passed or not passed)."), "conclusion")
        return conclusion
    elif code == 11:
        try:
            days, hours = float(data.get("training_days") or 0), float(data.get("training_hours") or 0)
        except (TypeError, ValueError):
            days = hours = 0.0
        data["training_days"], data["training_hours"] = days, hours
        if days < 3 and hours < 24:
            _refuse(pack, "training_3d_24h", _("The training lasted %(d)s days and %(h)s class hours: at least 3 days or 24 class hours are required.")
                    % {"d": f"{days:g}", "h": f"{hours:g}"}, "training_days")
    elif code == 12:
        if data.get("leaving_within_3_months"):
            pending.append(("leaving_3m", _("The development object will leave the unit within 3 months: admission should wait."), rules.WARN))
    elif code == 15:
        if not steps.get(13) or steps[13].conclusion != "passed":
            _refuse(pack, "prereview_before_vote", _("The pre-review has not passed."))
        _check_publicity(case, pack, PublicityPoint.ADMISSION, date)
        _check_vote(pack, data)
        if roll := _check_roll(case, pack, date, data):
            pending.append(roll)
        due = same_day_months_later(steps[13].date, 1)
        if date > due:
            pending.append(("meeting_1m_after_prereview", _("The branch general meeting was held more than 1 month after the pre-review (due %(d)s).") % {"d": due}, rules.WARN))
        return "passed"
    elif code == 17:
        if date > same_day_months_later(steps[15].date, 6):
            pending.append(("approval_6m", _("Approval came more than 6 months after the branch general meeting."), rules.RED))
        elif date > same_day_months_later(steps[15].date, 3):
            pending.append(("approval_3m", _("Approval came more than 3 months after the branch general meeting."), rules.WARN))
        return "passed"
    elif code == 20:
        if pack.on("oath_1m") and date > same_day_months_later(steps[17].date, 1):
            pending.append(("oath_1m", _("The oath was taken more than 1 month after approval."), rules.WARN))
    elif code == 23:
        if date < case.probation_end:
            _refuse(pack, "conversion_after_expiry", _("The probation ends on %(d)s: conversion is discussed from that day on.") % {"d": case.probation_end}, "date")
        _check_publicity(case, pack, PublicityPoint.CONVERSION, date)
        _check_vote(pack, data)
        if roll := _check_roll(case, pack, date, data):
            pending.append(roll)
        return "convert"
    elif code == 24:
        if date > same_day_months_later(steps[23].date, 3):
            pending.append(("conversion_approval_3m", _("Conversion was approved more than 3 months after the branch general meeting."), rules.WARN))
        return "passed"
    elif code == 25:
        checked = set(data.get("archive") or [])
        missing = [str(label) for key, label in ARCHIVE_DOCUMENTS if key not in checked]
        if missing:
            _refuse(pack, "archive_5_docs", _("Missing from the archive: %(m)s.") % {"m": "；".join(missing)}, "archive")
        data["archive"] = [key for key, _l in ARCHIVE_DOCUMENTS]
    return conclusion or "done"


def _side_effects(actor, case, pack, code: int, date: dt.date, steps: dict, data: dict) -> None:

    if code == 17:
        joined = steps[15].date
        member = member_services.create_member(actor=actor, org=case.org, data={
            "name": case.name, "gender": case.gender, "ethnicity": case.ethnicity, "birth_date": case.birth_date,
            "id_number": case.id_number, "phone": case.phone or "", "education": case.education, "joined_on": joined,
            "status": MemberStatus.PROBATIONARY, "category": case.category, "work_unit": case.work_unit,
        })
        case.member = member
        case.probation_end = same_day_months_later(joined, 12)
    elif code == 24:
        if case.member_id:
            member_services.update_member(actor=actor, member=case.member, data={"status": MemberStatus.FULL, "full_member_on": case.probation_end})
    elif code == 25:
        case.status = CaseStatus.ADMITTED
