"""Opening a case (step 1): the applicant's particulars checked and the first step recorded."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.errors import collected
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization
from dangjian.core.privacy import birth_date_from_id, gender_from_id, validate_id_number, validate_phone
from dangjian.members import api as member_services
from dangjian.members.api import Category, Education, Gender, Member

from .. import rules
from ..models import (
    CaseStatus,
    CaseStep,
    DevelopmentCase,
)
from ..rules import STEP_BY_CODE
from ._common import SENSITIVE, _authorise, _masked, _refuse, _today

APPLICANT_FIELDS = ("name", "gender", "birth_date", "ethnicity", "education", "category", "work_unit", "id_number", "phone")


def eighteenth_birthday(birth: dt.date) -> dt.date:
    """The 18th birthday (29 February → 1 March in a common year)."""
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:
        return dt.date(birth.year + 18, 3, 1)


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
    policy.authorize(actor, "development", "manage", org)
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
            if getattr(actor, "pk", None) and not policy.allows(actor, "development", "view", open_case_of_person):
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
