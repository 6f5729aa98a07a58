"""State changes of member-development cases (DOMAIN §4, §11 "Member development").

Every function is keyword-only with the actor first, runs in one transaction, checks every
[block] rule **before** writing anything (a refusal leaves nothing behind), audits the change
and raises ``ValidationError`` whose message names the rule id, its article and the rule
version of the case's pack (``rules.cite``). Rule ids are those of :mod:`.rules`.

Who may write: the actor must be a signed-in, active person whose POLICY grants
``development.manage`` on the case (branch steps) or ``development.approve`` (steps of the
upper Party committee) — organisational conclusions are never entered by the system
(rule ``human_conclusion``, DOMAIN §4.4/§11). The daily job only sends reminders.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.dates import same_day_months_later
from dangjian.core.errors import collected, refusal
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization
from dangjian.core.policy import Scope
from dangjian.core.privacy import MASKERS, birth_date_from_id, gender_from_id, validate_id_number, validate_phone
from dangjian.members import api as member_services
from dangjian.members.api import Category, Education, Gender, Member, MemberStatus, RecordState

from . import conf, rules, workdays
from .models import (
    CaseAssessment,
    CasePublicity,
    CaseStatus,
    CaseStep,
    CaseWarning,
    DevelopmentCase,
    PublicityPoint,
)
from .rules import ARCHIVE_DOCUMENTS, STEP_BY_CODE, cite

SENSITIVE = ("id_number", "phone")
APPLICANT_FIELDS = ("name", "gender", "birth_date", "ethnicity", "education", "category", "work_unit", "id_number", "phone")
# publicity point -> (the step it must precede, the rule, the last step codes allowed when it starts)
PUBLICITY_POINTS = {
    PublicityPoint.OBJECT: (7, "publicity_object", (5, 6)),
    PublicityPoint.ADMISSION: (15, "publicity_admission", (12, 13, 14)),
    PublicityPoint.CONVERSION: (23, "publicity_conversion", (21, 22)),
}


# -- helpers ---------------------------------------------------------------------------------
def eighteenth_birthday(birth: dt.date) -> dt.date:
    """The 18th birthday (29 February → 1 March in a common year)."""
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:
        return dt.date(birth.year + 18, 3, 1)


def _refuse(pack, rid: str, message: str, field: str | None = None):
    """Refuse citing the rule; the error's ``code`` is the rule id (on the field, if any)."""
    raise refusal(rid, f"{message} {cite(pack, rid)}", field=field)


def _authorise(actor, action: str, case_or_org, pack) -> None:
    """[block] ``human_conclusion``: only a signed-in person holding the POLICY action."""
    if actor is None or not getattr(actor, "pk", None) or not getattr(actor, "is_active", False):
        _refuse(pack, "human_conclusion", _("Organisational conclusions are entered by an authorised person, never by the system."))
    scope = Scope.for_user(actor)
    path = case_or_org.org_path if isinstance(case_or_org, DevelopmentCase) else case_or_org.path
    if not scope.path_allows("development", action, path):
        if action == "approve":
            _refuse(pack, "human_conclusion", _("This step is entered by the upper Party committee (an organization-department user above the branch)."))
        _refuse(pack, "human_conclusion", _("You may not enter development steps for this organization."))


def _masked(field: str, value) -> str:
    return MASKERS[field](value) if value else ""


def _today() -> dt.date:
    return timezone.localdate()


def _warn(case: DevelopmentCase, pack, rid: str, message: str, step_code: int | None, severity: str | None = None) -> CaseWarning:
    r = pack.rules[rid]
    return CaseWarning.objects.create(case=case, step_code=step_code, rule_id=rid, article=r.article,
                                      rule_version=pack.version, severity=severity or r.severity, message=message)


def _step_dates(case: DevelopmentCase) -> dict[int, CaseStep]:
    return {s.code: s for s in CaseStep.objects.filter(case=case)}


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


# -- opening a case (step 1) ---------------------------------------------------------------
def clean_applicant(data: dict, pack) -> dict:
    """Validate the applicant's particulars (ID number checked, consistent with birth date and gender).
    Every field error carries its code (``required``, ``invalid_choice``, the ID number's and the
    phone's own codes, ``birth_date_mismatch``, ``gender_mismatch``)."""
    errors: dict[str, list[ValidationError]] = {}
    out = {k: data.get(k) for k in APPLICANT_FIELDS}
    out["name"] = (out.get("name") or "").strip()
    out["work_unit"] = (out.get("work_unit") or "").strip()
    out["ethnicity"] = out.get("ethnicity") or "汉族"
    out["category"] = out.get("category") or Category.OTHER
    for f in ("name", "gender", "birth_date", "education", "id_number"):
        if not out.get(f):
            errors.setdefault(f, []).append(ValidationError(_("This field is required."), code="required"))
    for f, enum in (("gender", Gender), ("education", Education), ("category", Category)):
        if out.get(f) and out[f] not in enum.values:
            errors.setdefault(f, []).append(ValidationError(_("Choose one of the listed values."), code="invalid_choice"))
    if out.get("id_number"):
        try:
            out["id_number"] = validate_id_number(out["id_number"])
        except ValidationError as e:
            errors.setdefault("id_number", []).append(e.error_list[0])
        else:
            if out.get("birth_date") and birth_date_from_id(out["id_number"]) != out["birth_date"]:
                errors.setdefault("birth_date", []).append(ValidationError(_("The birth date does not match the ID number."),
                                                                           code="birth_date_mismatch"))
            if out.get("gender") and gender_from_id(out["id_number"]) != out["gender"]:
                errors.setdefault("gender", []).append(ValidationError(_("The gender does not match the ID number."),
                                                                       code="gender_mismatch"))
    if out.get("phone"):
        try:
            out["phone"] = validate_phone(out["phone"])
        except ValidationError as e:
            errors.setdefault("phone", []).append(e.error_list[0])
    else:
        out["phone"] = ""
    if errors:
        raise collected(errors)
    return out


def open_case(*, actor, org: Organization, data: dict, application_date: dt.date, documents=None, note: str = "") -> DevelopmentCase:
    """Open a case with step 1 (written application received), under the current rule pack.

    Rules: [block] ``age18`` — the application is dated on or after the 18th birthday
    (细则 2014 art. 5 / 2026; 党章 art. 1; DOMAIN §4.2, §11); the application is made to a
    branch-level organization (DOMAIN §4.2 "Apply to the unit's Party organisation"); one open case
    per person; nobody already on the member roll; dates not in the future. A member record the
    actor may not see is not named (SECURITY.md "mask reconstruction": the check is not an oracle of
    who is a Party member): ``id_duplicate_routed``, passed to the organization department above.
    """
    try:
        return _open_case(actor=actor, org=org, data=data, application_date=application_date, documents=documents, note=note)
    except member_services.DuplicateElsewhere as exc:
        raise member_services.refuse_duplicate(actor=actor, org=org, exc=exc, via="development") from None


def _open_case(*, actor, org: Organization, data: dict, application_date: dt.date, documents=None, note: str = "") -> DevelopmentCase:
    pack = rules.get_pack()
    with transaction.atomic():
        org = Organization.objects.filter(pk=getattr(org, "pk", None)).first()
        if org is None or org.kind not in MEMBER_HOLDING_KINDS or not org.is_active:
            raise ValidationError({"org": [ValidationError(_("An application is made to an active Party branch (or general branch, Party group, primary committee)."), code="not_branch")]})
        _authorise(actor, "manage", org, pack)
        clean = clean_applicant(data, pack)
        if not application_date:
            raise ValidationError({"application_date": [ValidationError(_("This field is required."), code="required")]})
        if application_date > _today():
            raise ValidationError({"application_date": [ValidationError(_("The date is in the future."), code="in_future")]})
        if application_date < eighteenth_birthday(clean["birth_date"]):
            _refuse(pack, "age18", _("The applicant is under 18 on the application date (18th birthday: %(d)s).")
                    % {"d": eighteenth_birthday(clean["birth_date"])}, "application_date")
        bidx = DevelopmentCase._meta.get_field("id_number").index_of(clean["id_number"])
        open_case_of_person = DevelopmentCase.objects.filter(id_number_bidx=bidx, status=CaseStatus.OPEN).select_related("org").first()
        if open_case_of_person is not None:
            if getattr(actor, "pk", None) and not Scope.for_user(actor).can("view", open_case_of_person):
                raise member_services.DuplicateElsewhere(open_case_of_person, clean["id_number"])  # who applies elsewhere is not said
            raise ValidationError({"id_number": [ValidationError(_("An open development case already exists for this person."), code="open_case_exists")]})
        if Member.objects.filter(id_number_bidx=Member._meta.get_field("id_number").index_of(clean["id_number"])).exists():
            elsewhere = member_services.recorded_elsewhere(actor=actor, id_number=clean["id_number"])
            if elsewhere is not None:
                raise elsewhere
            raise ValidationError({"id_number": [ValidationError(_("This person is already on the member roll."), code="id_duplicate")]})
        case = DevelopmentCase.objects.create(org=org, rule_pack=pack.version, rule_items=pack.items, **clean)
        CaseStep.objects.create(case=case, code=1, order=1, date=application_date,
                                body=STEP_BY_CODE[1].body, documents=_documents(1, documents), note=note, entered_by=actor)
        case.last_code = 1
        case.save(update_fields=["last_code"])
        audit.record(actor=actor, action="development.open", obj=case,
                     data={"name": case.name, "org": org.pk, "rule_pack": pack.version, "application_date": application_date,
                           **{f: _masked(f, getattr(case, f)) for f in SENSITIVE}})
    return case


def _documents(code: int, documents) -> list[dict]:
    """The step's listed documents with a checkbox each; ``documents`` = names that are present."""
    present = set(documents or [])
    names = list(STEP_BY_CODE[code].documents) + [d for d in present if d not in STEP_BY_CODE[code].documents]
    return [{"name": n, "checked": n in present} for n in names]


# -- recording the next step -----------------------------------------------------------------
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


def _publicity_end(case: DevelopmentCase, pack, point: str) -> tuple[CasePublicity | None, dt.date | None]:
    """The publicity of ``point`` and the last day of its window (None while the notice is not
    published)."""
    pub = CasePublicity.objects.filter(case=case, point=point).first()
    if pub is None:
        return None, None
    start = publication_date(pub)
    if start is None:
        return pub, None
    return pub, workdays.publicity_window(start, pub.working_days, case.org_path)[1]


def _check_publicity(case, pack, point: str, date: dt.date) -> None:
    """[block] The decision must follow a publicity of N working days (DOMAIN §4.2, §11): the
    notice must really have been public — published on the board (the window counts from its
    publication) and not withdrawn before the window ended — or, for a physical board, attested
    as posted on the date entered."""
    rid = PUBLICITY_POINTS[point][1]
    if not pack.on(rid):
        return
    pub, last = _publicity_end(case, pack, point)
    if pub is None:
        _refuse(pack, rid, _("A publicity of %(n)s working days must come before this decision: start it first.") % {"n": pack.publicity_days}, "date")
    if last is None:
        _refuse(pack, rid, _("The publicity notice has not been published on the board yet (it is a draft or awaits approval): "
                             "the window counts from its publication."), "date")
    withdrawn = _notice_withdrawn_on(pub)
    if withdrawn is not None and withdrawn <= last:
        _refuse(pack, rid, _("The publicity notice was withdrawn on %(w)s, before its window ended (%(d)s): publish a new one.")
                % {"w": withdrawn, "d": last}, "date")
    if date <= last:
        _refuse(pack, rid, _("The decision is dated inside the publicity window (it runs until %(d)s; the earliest date is the day after).")
                % {"d": last}, "date")


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


# -- other actions ------------------------------------------------------------------------------
def _notice(pub: CasePublicity):
    from dangjian.publicity.api import Notice

    return Notice.objects.filter(pk=pub.notice_id).first() if pub.notice_id else None


def publication_date(pub: CasePublicity) -> dt.date | None:
    """The day the publicity window starts (DOMAIN §4.2 "Publicity"): the board notice's
    publication date; for a physical board, the date the secretary entered; None while the
    online notice is a draft or awaits approval (nothing public yet)."""
    if pub.offline:
        return pub.starts_on
    notice = _notice(pub)
    if notice is None or notice.published_at is None:
        return None
    return timezone.localtime(notice.published_at).date()


def _notice_withdrawn_on(pub: CasePublicity) -> dt.date | None:
    notice = None if pub.offline else _notice(pub)
    if notice is None or notice.withdrawn_at is None:
        return None
    return timezone.localtime(notice.withdrawn_at).date()


def notice_text(case: DevelopmentCase, point: str, starts_on: dt.date, last: dt.date) -> tuple[str, str]:
    """Title and body of a publicity notice: name and the basic facts the rules publish — never
    the ID number, phone or address (DOMAIN §10; SECURITY.md)."""
    from django.utils.translation import override

    steps = _step_dates(case)
    with override("zh-hans"):
        what = {PublicityPoint.OBJECT: "拟确定为发展对象", PublicityPoint.ADMISSION: "拟接收为预备党员",
                PublicityPoint.CONVERSION: "拟按期转为正式党员"}[point]
        title = f"关于{case.name}同志{what}的公示"
        lines = [
            f"经{case.org.name}研究，{case.name}同志{what}，现予公示。",
            f"姓名：{case.name}；性别：{case.get_gender_display()}；民族：{case.ethnicity}；"
            f"出生年月：{case.birth_date:%Y年%m月}；学历：{case.get_education_display()}；"
            f"工作单位：{case.work_unit or '—'}。",
        ]
        if steps.get(1):
            lines.append(f"递交入党申请书时间：{steps[1].date:%Y年%m月%d日}。")
        if steps.get(3):
            lines.append(f"确定为入党积极分子时间：{steps[3].date:%Y年%m月%d日}。")
        if steps.get(7):
            lines.append(f"确定为发展对象时间：{steps[7].date:%Y年%m月%d日}。")
        if steps.get(15):
            lines.append(f"支部大会接收为预备党员时间：{steps[15].date:%Y年%m月%d日}。")
        lines.append(f"公示时间：{starts_on:%Y年%m月%d日}至{last:%Y年%m月%d日}（{ '不少于' }{(case.rule_items or {}).get('publicity_working_days', 5)}个工作日）。"
                     "公示期间，党员和群众可通过来信、来电、来访等方式向党组织反映情况。")
    return title, "\n".join(lines)


def start_publicity(*, actor, case: DevelopmentCase, point: str, starts_on: dt.date, offline: bool = False) -> CasePublicity:
    """Start a publicity (公示) of N working days before a decision (DOMAIN §4.2 "Publicity",
    §4.4; 2026 pack items ``publicity_object``/``publicity_admission``/``publicity_conversion``,
    N = ``publicity_working_days``, default 5) and post a draft notice to the development board
    through ``dangjian.publicity.api.create_notice``; the window runs from the day the secretary
    publishes it. ``offline``: posted on a physical board only (villages without a screen, or
    records entered afterwards) — no online notice, the window runs from ``starts_on`` as attested.
    One publicity per point."""
    with transaction.atomic():
        case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
        pack = case.pack
        _authorise(actor, "manage", case, pack)
        if point not in PUBLICITY_POINTS:
            raise ValidationError({"point": [ValidationError(_("Choose one of the listed values."), code="invalid_choice")]})
        before, rid, allowed = PUBLICITY_POINTS[point]
        if case.status != CaseStatus.OPEN or case.last_code not in allowed:
            _refuse(pack, rid, _("This publicity belongs just before step %(n)s.") % {"n": before}, "point")
        if CasePublicity.objects.filter(case=case, point=point).exists():
            _refuse(pack, rid, _("This publicity has already been started."), "point")
        last_step = CaseStep.objects.filter(case=case).order_by("-code").first()
        if not starts_on:
            raise ValidationError({"starts_on": [ValidationError(_("This field is required."), code="required")]})
        if starts_on < last_step.date:
            _refuse(pack, "step_order", _("The publicity cannot start before the previous step (%(d)s).") % {"d": last_step.date}, "starts_on")
        if starts_on > _today() + dt.timedelta(days=60):
            raise ValidationError({"starts_on": [ValidationError(_("The date is too far in the future."), code="too_far_ahead")]})
        days = pack.publicity_days
        _first, last = workdays.publicity_window(starts_on, days, case.org_path)
        title, body = notice_text(case, point, starts_on, last)
        pub = CasePublicity.objects.create(case=case, point=point, starts_on=starts_on, working_days=days,
                                           text=body, created_by=actor, offline=bool(offline))
        if not offline:
            pub.notice_id = _post_notice(actor, case, title, body, point).pk
            pub.save(update_fields=["notice_id"])
        audit.record(actor=actor, action="development.publicity", obj=case,
                     data={"point": point, "starts_on": starts_on, "ends_on": last, "notice": pub.notice_id, "offline": bool(offline)})
    return pub


def _post_notice(actor, case, title: str, body: str, point: str):
    """Post the notice as a draft on the development board of the case's branch. One source per
    publicity point (``development:<case>:<point>``), so the admission notice never overwrites
    the development-object one."""
    from django.core.exceptions import PermissionDenied

    from dangjian.publicity.api import create_notice

    try:
        return create_notice(org=case.org, board="development", title=title, body=body, actor=actor,
                             source=f"development:{case.pk}:{point}")
    except PermissionDenied:
        raise ValidationError(_("You may not post notices on this organization's publicity board; ask the branch secretary."), code="not_permitted") from None


def add_assessment(*, actor, case: DevelopmentCase, date: dt.date, note: str = "") -> CaseAssessment:
    """Record a half-yearly assessment of an activist (DOMAIN §4.2; rule ``assess_6m``)."""
    with transaction.atomic():
        case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
        pack = case.pack
        _authorise(actor, "manage", case, pack)
        if case.status != CaseStatus.OPEN or not 3 <= case.last_code <= 6:
            _refuse(pack, "assess_6m", _("Assessments are recorded while the applicant is an activist (steps 3–7)."))
        start = CaseStep.objects.get(case=case, code=3).date
        if not date or date < start or date > _today():
            raise ValidationError({"date": [ValidationError(_("The date must lie between the activist decision (%(d)s) and today.") % {"d": start}, code="date_out_of_range")]})
        a = CaseAssessment.objects.create(case=case, date=date, note=note or "", entered_by=actor)
        audit.record(actor=actor, action="development.assessment", obj=case, data={"date": date})
    return a


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


def stop_case(*, actor, case: DevelopmentCase, reason: str) -> DevelopmentCase:
    """Close a case without admission (failed review, withdrawn, probation cancelled...) with a
    reason. A probationary Member already created stays on the roll until the member record is
    closed by its own procedure (支部大会 + upper approval; DOMAIN §4.2)."""
    with transaction.atomic():
        case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
        pack = case.pack
        _authorise(actor, "manage", case, pack)
        if case.status != CaseStatus.OPEN:
            raise ValidationError(_("This case is already closed."), code="case_closed")
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": [ValidationError(_("Give the reason."), code="no_reason")]})
        case.status, case.stop_reason, case.updated_at = CaseStatus.STOPPED, reason[:300], timezone.now()
        case.save(update_fields=["status", "stop_reason", "updated_at"])
        audit.record(actor=actor, action="development.stop", obj=case, data={"reason": reason[:300], "at_step": case.last_code})
    return case


def cancel_probation(*, actor, case: DevelopmentCase, date: dt.date, decision: str) -> DevelopmentCase:
    """Cancel the probationary membership (取消预备党员资格; 党章 art. 7, DOMAIN §4.2: at expiry the
    branch converts, extends once, or cancels — each by a 支部大会 with the upper committee's
    approval, so it is entered with the "approve" action). The case closes as stopped and the
    probationary member's record is closed (``members.services.close_record``): the member is no
    longer on the roll, the record and its history stay readable. ``decision``: the meeting and
    the approval (document number)."""
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


def reveal_field(*, actor, case: DevelopmentCase, field: str) -> str:
    """Show one sensitive field in clear; the reveal is audited (SECURITY.md "Field privacy")."""
    if field not in SENSITIVE:
        raise ValidationError(_("This field is not revealable."), code="not_revealable")
    with transaction.atomic():
        audit.record(actor=actor, action="development.reveal", obj=case, data={"field": field})
        return getattr(case, field)


def set_local_day(*, actor, org: Organization, date: dt.date, is_working_day: bool, note: str = ""):
    """Add or change a local calendar exception for an organization's subtree (DOMAIN §11 [cfg]
    "holiday calendar needed"); POLICY ``development.calendar``."""
    from .models import LocalHoliday

    pack = rules.get_pack()
    with transaction.atomic():
        if actor is None or not Scope.for_user(actor).path_allows("development", "calendar", org.path):
            _refuse(pack, "human_conclusion", _("You may not change the calendar of this organization."))
        if not date:
            raise ValidationError({"date": [ValidationError(_("This field is required."), code="required")]})
        row, created = LocalHoliday.objects.update_or_create(org=org, date=date, defaults={
            "org_path": org.path, "is_working_day": bool(is_working_day), "note": (note or "")[:200], "created_by": actor})
        audit.record(actor=actor, action="development.calendar_set", obj=row, org_path=org.path,
                     data={"date": date, "is_working_day": bool(is_working_day), "note": note, "created": created})
    return row


def delete_local_day(*, actor, row) -> None:
    """Remove a local calendar exception (POLICY ``development.calendar``)."""
    with transaction.atomic():
        if not Scope.for_user(actor).path_allows("development", "calendar", row.org_path):
            raise ValidationError(_("You may not change the calendar of this organization."), code="human_conclusion")
        audit.record(actor=actor, action="development.calendar_delete", obj=row, data={"date": row.date})
        row.delete()


def add_document(*, actor, case: DevelopmentCase, step_code: int, upload):
    """Attach a scanned document to a recorded step (DOMAIN §4.1 "documents"; SECURITY.md
    "Files": type checked by content, images re-encoded without EXIF, private storage)."""
    import hashlib

    from django.core.files.base import ContentFile

    from dangjian.publicity.api import clean_attachment

    from .models import CaseDocument

    with transaction.atomic():
        case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
        pack = case.pack
        _authorise(actor, "manage", case, pack)
        try:
            step_code = int(step_code)
        except (TypeError, ValueError):
            step_code = 0
        if not 1 <= step_code <= case.last_code:
            raise ValidationError({"step_code": [ValidationError(_("Documents are attached to a recorded step."), code="step_not_recorded")]})
        if upload is None:
            raise ValidationError({"file": [ValidationError(_("This field is required."), code="required")]})
        clean = clean_attachment(upload)
        doc = CaseDocument(case=case, step_code=step_code, name=clean.name, content_type=clean.content_type,
                           size=len(clean.content), sha256=hashlib.sha256(clean.content).hexdigest(), uploaded_by=actor)
        doc.file.save(clean.name, ContentFile(clean.content), save=False)
        doc.save()
        audit.record(actor=actor, action="development.document", obj=case,
                     data={"step": step_code, "name": clean.name, "sha256": doc.sha256, "size": doc.size})
    return doc
