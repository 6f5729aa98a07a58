"""The pages: pipeline, case list with filters, opening a case, the step form (only the next step,
errors on the form, nothing written), masking and audited reveal, the calendar."""
from __future__ import annotations

import datetime as dt

from django.urls import reverse

from dangjian.core.errors import REFUSAL_HEADER
from dangjian.core.models import AuditEvent
from dangjian.development.models import CaseStep, DevelopmentCase, LocalHoliday

from .helpers import TIMELINE, advance, applicant, open_case

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _en(c):
    c.cookies["django_language"] = "en"
    return c


def test_pipeline_counts_and_overdue_in_red(world, login):
    advance(world, open_case(world), 3)
    open_case(world, name="乙申请")  # no talk since 2023: red
    c = _en(login(world.users["town_admin"]))
    r = c.get(reverse("development-pipeline"))
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-testid="pipeline-row-{world.b1.pk}"' in html and f'data-testid="red-{world.b1.pk}"' in html
    assert "1 overdue" in html and world.b3.name not in html  # another town
    r = c.get(reverse("development-case-list") + f"?org={world.b1.pk}&overdue=1")
    assert "乙申请" in r.content.decode() and "No talk within 1 month" in r.content.decode()
    r = c.get(reverse("development-case-list") + f"?org={world.b1.pk}&stage=activist")
    assert "周申请" in r.content.decode() and "乙申请" not in r.content.decode()


def test_pipeline_of_an_invisible_org_is_404(world, login):
    c = login(world.users["town_admin"])
    assert c.get(reverse("development-pipeline") + f"?org={world.t2.pk}").status_code == 404
    assert c.get(reverse("development-pipeline") + "?org=x").status_code == 404


def test_open_case_page(world, login):
    c = _en(login(world.users["secretary"]))
    data = applicant()
    post = {**data, "org": world.b1.pk, "birth_date": data["birth_date"].isoformat(), "application_date": "2023-03-01",
            "documents": ["入党申请书"]}
    r = c.post(reverse("development-case-add"), post)
    assert r.status_code == 302
    case = DevelopmentCase.objects.get(name="周申请")
    assert r["Location"] == reverse("development-case-detail", kwargs={"pk": case.pk})
    # under 18 on the application date: refused on the form, nothing written
    data2 = applicant(birth_date=dt.date(2008, 1, 1), name="少年")
    r = c.post(reverse("development-case-add"), {**data2, "org": world.b1.pk, "birth_date": "2008-01-01", "application_date": "2025-12-31"})
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "age18" and not DevelopmentCase.objects.filter(name="少年").exists()


def test_detail_masks_and_reveal_is_audited(world, login):
    case = open_case(world)
    c = login(world.users["secretary"])
    html = c.get(reverse("development-case-detail", kwargs={"pk": case.pk})).content.decode()
    assert case.id_number not in html and case.id_number[:4] + "*" * 14 in html and "13912345678" not in html
    assert 'data-testid="step-1" data-done="1"' in html and 'data-testid="step-2" data-done="0"' in html
    n = AuditEvent.objects.filter(action="development.reveal").count()
    r = c.post(reverse("development-case-reveal", kwargs={"pk": case.pk, "field": "id_number"}))
    assert case.id_number in r.content.decode()
    assert AuditEvent.objects.filter(action="development.reveal").count() == n + 1
    r = login(world.users["committee"]).post(reverse("development-case-reveal", kwargs={"pk": case.pk, "field": "id_number"}))
    assert r.status_code == 403


def test_step_form_records_only_the_next_step(world, login):
    case = open_case(world)
    c = _en(login(world.users["secretary"]))
    url = reverse("development-case-step", kwargs={"pk": case.pk})
    r = c.get(url)
    assert "Step 2" in r.content.decode()
    r = c.post(url, {"date": "2023-02-01"})  # before the application
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "step_order"
    assert CaseStep.objects.filter(case=case).count() == 1
    r = c.post(url, {"date": TIMELINE[2].isoformat(), "documents": ["谈话记录"], "note": "谈话顺利"})
    assert r.status_code == 302
    row = CaseStep.objects.get(case=case, code=2)
    assert row.entered_by == world.users["secretary"] and row.documents == [{"name": "谈话记录", "checked": True}]


def test_upper_committee_step_is_not_offered_to_the_secretary(world, login):
    case = advance(world, open_case(world), 3)
    c = _en(login(world.users["secretary"]))
    r = c.get(reverse("development-case-step", kwargs={"pk": case.pk}))
    assert 'data-testid="step-not-allowed"' in r.content.decode()
    r = c.post(reverse("development-case-step", kwargs={"pk": case.pk}), {"date": "2023-07-08"})
    assert CaseStep.objects.filter(case=case).count() == 3
    c2 = login(world.users["town_admin"], c=None)
    r = c2.post(reverse("development-case-step", kwargs={"pk": case.pk}), {"date": "2023-07-08", "documents": ["备案表"]})
    assert r.status_code == 302 and CaseStep.objects.filter(case=case).count() == 4


def test_vote_form_fields(world, login):
    case = advance(world, open_case(world), 14)
    c = _en(login(world.users["secretary"]))
    url = reverse("development-case-step", kwargs={"pk": case.pk})
    r = c.post(url, {"date": "2024-09-20", "voters_total": 10, "voters_present": 5, "yes": 5, "no": 0, "abstain": 0,
                     "written_total": 0, "written_yes": 0})
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "vote_majority"
    r = c.post(url, {"date": "2024-09-20", "voters_total": 10, "voters_present": 8, "yes": 7, "no": 1, "abstain": 0,
                     "written_total": 0, "written_yes": 0})
    assert r.status_code == 302


def test_calendar_page(world, login):
    c = login(world.users["town_admin"])
    r = c.post(reverse("development-calendar"), {"org": world.t1.pk, "date": "2026-05-06", "note": "镇庆"})
    assert r.status_code == 302
    row = LocalHoliday.objects.get(org=world.t1)
    assert "镇庆" in c.get(reverse("development-calendar")).content.decode()
    r = c.post(reverse("development-calendar-delete", kwargs={"pk": row.pk}))
    assert r.status_code == 302 and not LocalHoliday.objects.exists()
    assert login(world.users["secretary"]).get(reverse("development-calendar")).status_code == 403


def test_pipeline_totals_of_the_subtree(world, login):
    open_case(world)
    advance(world, open_case(world, name="丙"), 8)
    html = _en(login(world.users["county_admin"])).get(reverse("development-pipeline")).content.decode()
    assert 'data-testid="total-applicant">1<' in html and 'data-testid="total-object">1<' in html


def test_member_page_shows_the_development_record(world, login):
    case = advance(world, open_case(world), 17)
    c = _en(login(world.users["secretary"]))
    html = c.get(reverse("member-detail", kwargs={"pk": case.member_id})).content.decode()
    assert 'data-testid="member-panel-development-record"' in html and "2024-09-20" in html
    assert reverse("development-case-detail", kwargs={"pk": case.pk}) in html


def test_calendar_warns_about_years_without_the_national_calendar(world, login):
    from zoneinfo import ZoneInfo

    import time_machine

    c = _en(login(world.users["county_admin"]))
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        html = c.get(reverse("development-calendar")).content.decode()
    assert 'data-testid="calendar-uncovered"' in html and "2027" in html


def test_timeline_shows_introducers_and_training(world, login):
    case = advance(world, open_case(world), 11)
    html = _en(login(world.users["secretary"])).get(reverse("development-case-detail", kwargs={"pk": case.pk})).content.decode()
    assert 'data-testid="people-9"' in html and world.m_secretary.name in html
    assert "3 days / 24 hours" in html


def test_case_list_without_an_org_and_empty_state(world, login):
    c = _en(login(world.users["county_admin"]))
    r = c.get(reverse("development-case-list"))
    assert r.status_code == 200 and 'data-testid="empty"' in r.content.decode()
    open_case(world)
    r = c.get(reverse("development-case-list") + "?status=open&q=周")
    assert "周申请" in r.content.decode()


def test_case_pdf_is_masked_and_audited(world, login, monkeypatch):
    from django.template.loader import render_to_string

    from dangjian.core import pdf

    case = advance(world, open_case(world), 10)
    c = login(world.users["secretary"])
    n = AuditEvent.objects.filter(action="development.print").count()
    r = c.get(reverse("development-case-pdf", kwargs={"pk": case.pk}))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="development.print").count() == n + 1
    seen = {}
    monkeypatch.setattr(pdf, "render_pdf", lambda t, ctx, request=None: seen.setdefault("html", render_to_string(t, ctx)).encode())
    c.get(reverse("development-case-pdf", kwargs={"pk": case.pk}))
    html = seen["html"]
    assert case.name in html and case.id_number not in html and case.id_number[:4] + "*" * 14 in html and "政治审查" in html


def test_next_step_form_on_the_case_page(world, login):
    case = open_case(world)
    c = _en(login(world.users["secretary"]))
    html = c.get(reverse("development-case-detail", kwargs={"pk": case.pk})).content.decode()
    assert 'data-testid="next-step-card"' in html and "Record step 2" in html
    r = c.post(reverse("development-case-step", kwargs={"pk": case.pk}), {"date": TIMELINE[2].isoformat()})
    assert r.status_code == 302 and CaseStep.objects.filter(case=case, code=2).exists()
    html = _en(login(world.users["committee"])).get(reverse("development-case-detail", kwargs={"pk": case.pk})).content.decode()
    assert "Record step 3" in html  # committee members manage branch steps too
    case = advance(world, case, 3)
    html = c.get(reverse("development-case-detail", kwargs={"pk": case.pk})).content.decode()
    assert 'data-testid="next-step-card"' not in html  # step 4 belongs to the upper committee


def test_attach_and_download_a_document(world, login):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from dangjian.development.models import CaseDocument

    case = open_case(world)
    c = _en(login(world.users["secretary"]))
    url = reverse("development-case-document-add", kwargs={"pk": case.pk})
    buf = io.BytesIO()
    img = Image.new("RGB", (20, 20), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    img.save(buf, "JPEG", exif=exif)
    r = c.post(url, {"step_code": 1, "file": SimpleUploadedFile("扫描件.jpg", buf.getvalue(), content_type="image/jpeg")})
    assert r.status_code == 302
    doc = CaseDocument.objects.get(case=case)
    data = doc.file.read()
    assert b"SecretCam" not in data and doc.content_type == "image/jpeg"
    r = c.post(url, {"step_code": 2, "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4\n")})  # step 2 not recorded yet
    assert r.status_code == 200 and CaseDocument.objects.count() == 1
    r = c.post(url, {"step_code": 1, "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")})
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "bad_type"
    n = AuditEvent.objects.filter(action="development.document_view").count()
    r = c.get(reverse("development-document", kwargs={"pk": doc.pk}))
    assert r.status_code == 200 and r["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="development.document_view").count() == n + 1
    assert login(world.users["secretary2"]).get(reverse("development-document", kwargs={"pk": doc.pk})).status_code == 404


def test_extension_form_records_the_vote_and_refuses_an_early_meeting(world, login):
    case = advance(world, open_case(world), 21)  # probation ends 2025-09-20
    c = _en(login(world.users["town_admin"]))
    url = reverse("development-case-extend", kwargs={"pk": case.pk})
    vote = {"voters_total": 10, "voters_present": 8, "yes": 6, "no": 1, "abstain": 1, "written_total": 0, "written_yes": 0}
    r = c.post(url, {"date": "2025-07-01", "months": 6, **vote})  # 81 days before the end
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "extension_at_expiry"
    r = c.post(url, {"date": "2025-09-01", "months": 6, **vote, "voters_present": 5, "yes": 5, "no": 0, "abstain": 0})
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "vote_majority"
    case.refresh_from_db()
    assert (case.extended_months, case.extended_on) == (0, None)
    r = c.post(url, {"date": "2025-09-01", "months": 6, **vote})
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.probation_end, case.extended_on, case.extension_vote) == (dt.date(2026, 3, 20), dt.date(2025, 9, 1), vote)
    html = c.get(reverse("development-case-detail", kwargs={"pk": case.pk})).content.decode()
    assert 'data-testid="extension-vote"' in html and "2025-09-01" in html
