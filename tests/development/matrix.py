"""Authz-matrix targets of member development (tests/core/test_authz_matrix.py)."""
from __future__ import annotations

import datetime as dt


def make_case(world, org, member):
    from dangjian.development.models import CaseStep, DevelopmentCase
    from dangjian.development.rules import get_pack
    from tests.factories import make_id_number

    pack = get_pack()
    case = DevelopmentCase.objects.create(org=org, org_path=org.path, name="矩阵申请人", gender="M", birth_date=dt.date(2000, 1, 1),
                                          education="bachelor", id_number=make_id_number(dt.date(2000, 1, 1), "M"),
                                          phone="13900001111", rule_pack=pack.version, rule_items=pack.items, last_code=1)
    CaseStep.objects.create(case=case, org_path=org.path, code=1, order=1, date=dt.date(2024, 1, 1), body="applicant",
                            entered_by=world.users["secretary"])
    return case


def make_local_day(world, org, member):
    from dangjian.development.models import LocalHoliday

    return LocalHoliday.objects.create(org=org, org_path=org.path, date=dt.date(2026, 5, 6), note="matrix")


def make_document(world, org, member):
    from django.core.files.base import ContentFile

    from dangjian.development.models import CaseDocument

    case = make_case(world, org, member)
    doc = CaseDocument(case=case, org_path=case.org_path, step_code=1, name="申请书.pdf", content_type="application/pdf",
                       size=9, sha256="0" * 64, uploaded_by=world.users["secretary"])
    doc.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    doc.save()
    return doc


TARGETS = {"DevelopmentCase": make_case, "LocalHoliday": make_local_day, "CaseDocument": make_document}
POST_ONLY = {"development-case-reveal", "development-calendar-delete"}
EXTRA_KWARGS = {"development-case-reveal": {"field": "id_number"}}
