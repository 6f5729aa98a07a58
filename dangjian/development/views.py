"""Pages of member development: thin views over selectors.py and services.py."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.privacy import MASKERS
from dangjian.core.web import form_view, scoped

from . import selectors, services
from .forms import (
    AssessmentForm,
    CancelProbationForm,
    CaseOpenForm,
    DocumentForm,
    ExtendForm,
    LocalDayForm,
    PublicityForm,
    StepForm,
    StopForm,
)
from .models import CaseDocument, CaseStatus, DevelopmentCase, LocalHoliday
from .rules import ARCHIVE_DOCUMENTS, BODY_LABELS, PERSON_STAGES, STEP_BY_CODE, person_stage


def _org_param(scope, value, action="view"):
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404
    org = selectors.organization(int(value))
    if org is None or not scope.path_allows("development", action, org.path):
        raise Http404
    return org


def _case_url(case) -> str:
    return reverse("development-case-detail", kwargs={"pk": case.pk})


@scoped("development", "view")
def pipeline(request, scope):
    org = _org_param(scope, request.GET.get("org")) or selectors.single_root(scope)
    if org is None:
        roots = selectors.root_orgs(scope)
        return render(request, "development/pipeline.html", {"roots": roots, "org": None})
    branches = selectors.member_holding_orgs(org)
    page = Paginator(branches, 25).get_page(request.GET.get("page"))
    rows = selectors.pipeline(list(page.object_list))
    totals = selectors.subtree_totals(org)
    return render(request, "development/pipeline.html", {
        "org": org, "page": page, "rows": rows, "stages": PERSON_STAGES,
        "totals": [(label, totals[key], key) for key, label, _lo, _hi in PERSON_STAGES],
        "children": selectors.child_orgs(org),
        "parent_visible": org.parent_id and scope.path_allows("development", "view", org.parent.path),
        "can_add": scope.has_any("development", "manage"), "can_calendar": scope.has_any("development", "calendar"),
    })


@scoped("development", "view")
def case_list(request, scope):
    org = _org_param(scope, request.GET.get("org"))
    qs = selectors.case_queryset(scope, org=org, stage=request.GET.get("stage", ""), status=request.GET.get("status", ""),
                                 q=request.GET.get("q", ""))
    items = qs
    if request.GET.get("overdue"):
        cases = list(selectors.open_cases(qs)[:5000])
        alerts = selectors.bulk_alerts(cases)
        items = [c for c in cases if selectors.worst(alerts.get(c.pk, [])) in ("red", "warn")]
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    cases = list(page.object_list)
    alerts = selectors.bulk_alerts(cases)
    rows = [{"case": c, "stage": selectors.stage_label(person_stage(c.last_code)), "step": STEP_BY_CODE.get(c.last_code),
             "alerts": alerts.get(c.pk, []), "worst": selectors.worst(alerts.get(c.pk, []))} for c in cases]
    return render(request, "development/case_list.html", {
        "org": org, "page": page, "rows": rows, "stages": PERSON_STAGES,
        "statuses": CaseStatus.choices,
        "f": {k: request.GET.get(k, "") for k in ("stage", "status", "q", "overdue")},
        "can_add": scope.has_any("development", "manage"),
    })


@scoped("development", "manage")
def case_add(request, scope):
    orgs = selectors.manage_orgs(scope)
    form = CaseOpenForm(request.POST or None, orgs=orgs, initial={"org": request.GET.get("org"), "application_date": timezone.localdate()})

    def perform(cd):
        data = {k: cd[k] for k in services.APPLICANT_FIELDS}
        return services.open_case(actor=request.user, org=cd["org"], data=data, application_date=cd["application_date"],
                                  documents=cd.get("documents"))

    return form_view(request, form, perform=perform, done=lambda c: (_("Case opened for %(n)s.") % {"n": c.name}, _case_url(c)),
                     template="development/form.html", context={"title": _("Open a development case (application received)")})


@scoped("development", "view", model=DevelopmentCase)
def case_detail(request, case, scope):
    timeline = selectors.case_timeline(case)
    alerts = selectors.alerts_for(case)
    nxt = STEP_BY_CODE.get(case.next_code) if case.next_code else None
    pubs = selectors.case_publicities(case)
    for p in pubs:
        start = services.publication_date(p)
        p.window = services.workdays.publicity_window(start, p.working_days, case.org_path) if start else None
        p.provisional = bool(p.window) and not all(services.workdays.national_covered(d.year) for d in p.window)
    ctx = {
        "case": case, "timeline": timeline, "alerts": alerts, "warnings": selectors.case_warnings(case),
        "pubs": pubs, "assessments": selectors.case_assessments(case), "next": nxt,
        "masked": {f: MASKERS[f](getattr(case, f)) if getattr(case, f) else "" for f in services.SENSITIVE},
        "can": {a: scope.can(a, case) for a in ("manage", "approve", "reveal")},
        "pack": case.pack, "stage": selectors.stage_label(person_stage(case.last_code)),
        "archive_docs": ARCHIVE_DOCUMENTS,
        "can_next": bool(nxt) and scope.can("approve" if nxt.needs_approve else "manage", case),
        "publicity_due": case.status == CaseStatus.OPEN and any(
            case.last_code in allowed and not any(p.point == point for p in pubs)
            for point, (_b, rid, allowed) in services.PUBLICITY_POINTS.items() if case.pack.on(rid)),
    }
    if ctx["can_next"]:
        ctx["step_form"] = StepForm(case=case, code=nxt.code, initial={"date": timezone.localdate()})
        ctx["next_body"] = BODY_LABELS[nxt.body]
    return render(request, "development/case_detail.html", ctx)


@scoped("development", "manage", model=DevelopmentCase)
def case_step(request, case, scope):
    code = case.next_code
    if code is None:
        return redirect(_case_url(case))
    step = STEP_BY_CODE[code]
    allowed = scope.can("approve" if step.needs_approve else "manage", case)
    form = StepForm(request.POST or None, case=case, code=code)
    if not allowed:
        return render(request, "development/step_form.html", {"form": None, "case": case, "step": step, "allowed": False,
                                                               "body": BODY_LABELS[step.body]}, status=200)
    return form_view(
        request, form,
        perform=lambda cd: services.record_step(actor=request.user, case=case, code=code, **form.service_kwargs()),
        done=lambda row: (_("Step %(n)s recorded.") % {"n": row.code}, _case_url(case)),
        template="development/step_form.html",
        context={"case": case, "step": step, "allowed": True, "body": BODY_LABELS[step.body]},
    )


def _simple(request, case, form, perform, message, title):
    return form_view(request, form, perform=perform, done=lambda _r: (message, _case_url(case)),
                     template="development/form.html", context={"title": title, "case": case})


@scoped("development", "manage", model=DevelopmentCase)
def case_publicity(request, case, scope):
    default = next((p for p, (_b, _r, allowed) in services.PUBLICITY_POINTS.items() if case.last_code in allowed), None)
    form = PublicityForm(request.POST or None, initial={"point": default, "starts_on": timezone.localdate()})
    return _simple(request, case, form,
                   lambda cd: services.start_publicity(actor=request.user, case=case, point=cd["point"], starts_on=cd["starts_on"],
                                                       offline=cd.get("offline", False)),
                   _("Publicity started. An online notice was posted to the publicity board as a draft: the window counts from the day it is published."),
                   _("Start a publicity for %(n)s") % {"n": case.name})


@scoped("development", "manage", model=DevelopmentCase)
def case_assessment(request, case, scope):
    return _simple(request, case, AssessmentForm(request.POST or None),
                   lambda cd: services.add_assessment(actor=request.user, case=case, date=cd["date"], note=cd["note"]),
                   _("Assessment recorded."), _("Half-yearly assessment of %(n)s") % {"n": case.name})


@scoped("development", "approve", model=DevelopmentCase)
def case_extend(request, case, scope):
    form = ExtendForm(request.POST or None)
    return _simple(request, case, form,
                   lambda cd: services.extend_probation(actor=request.user, case=case, date=cd["date"], months=cd["months"],
                                                        vote=form.vote(), note=cd["note"]),
                   _("Probation extended."), _("Extend the probation of %(n)s") % {"n": case.name})


@scoped("development", "approve", model=DevelopmentCase)
def case_cancel_probation(request, case, scope):
    return _simple(request, case, CancelProbationForm(request.POST or None),
                   lambda cd: services.cancel_probation(actor=request.user, case=case, date=cd["date"], decision=cd["decision"]),
                   _("Probationary membership cancelled; the member's record is closed."),
                   _("Cancel the probationary membership of %(n)s") % {"n": case.name})


@scoped("development", "manage", model=DevelopmentCase)
def case_stop(request, case, scope):
    return _simple(request, case, StopForm(request.POST or None),
                   lambda cd: services.stop_case(actor=request.user, case=case, reason=cd["reason"]),
                   _("Case closed."), _("Stop the case of %(n)s") % {"n": case.name})


@require_POST
@scoped("development", "reveal", model=DevelopmentCase)
def case_reveal(request, case, scope, field):
    if field not in services.SENSITIVE:
        raise Http404
    value = services.reveal_field(actor=request.user, case=case, field=field)
    return render(request, "members/_revealed.html", {"value": value, "field": field})


@scoped("development", "calendar")
def calendar_page(request, scope):
    orgs = selectors.calendar_orgs(scope)
    rows = selectors.local_days(scope)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    form = LocalDayForm(request.POST or None, orgs=orgs, initial={"org": selectors.calendar_default_org(scope)})
    return form_view(request, form,
                     perform=lambda cd: services.set_local_day(actor=request.user, org=cd["org"], date=cd["date"],
                                                               is_working_day=cd["is_working_day"], note=cd["note"]),
                     done=lambda r: (_("Saved."), reverse("development-calendar")),
                     template="development/calendar.html", context={
                         "page": page, "uncovered": [y for y in (timezone.localdate().year, timezone.localdate().year + 1)
                                                     if not services.workdays.national_covered(y)]})


@require_POST
@scoped("development", "calendar", model=LocalHoliday)
def calendar_delete(request, row, scope):
    services.delete_local_day(actor=request.user, row=row)
    return redirect("development-calendar")


@scoped("development", "view", model=DevelopmentCase)
def case_pdf(request, case, scope):
    """The printable record of the case (发展党员全程纪实表), masked; the print is audited."""
    from dangjian.core import audit
    from dangjian.core.pdf import pdf_response, render_pdf

    with translation.override("zh-hans"):
        data = render_pdf("development/case_pdf.html", {
            "case": case, "timeline": selectors.case_timeline(case), "pack": case.pack, "now": timezone.localtime(),
            "masked_id": MASKERS["id_number"](case.id_number) if case.id_number else "",
            "warnings": selectors.case_warnings(case)})
    audit.record(actor=request.user, action="development.print", obj=case, data={"what": "case record pdf"})
    return pdf_response(data, f"发展党员纪实表-{case.name}.pdf")


@scoped("development", "manage", model=DevelopmentCase)
def case_document_add(request, case, scope):
    form = DocumentForm(request.POST or None, request.FILES or None, case=case)
    return _simple(request, case, form,
                   lambda cd: services.add_document(actor=request.user, case=case, step_code=cd["step_code"], upload=cd["file"]),
                   _("Document attached."), _("Attach a document to the case of %(n)s") % {"n": case.name})


@scoped("development", "view", model=CaseDocument)
def case_document(request, doc, scope):
    """Serve a private document through the scope (never a media URL); the download is audited."""
    from django.http import FileResponse

    from dangjian.core import audit

    try:
        fh = doc.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    audit.record(actor=request.user, action="development.document_view", obj=doc, data={"case": doc.case_id, "name": doc.name})
    resp = FileResponse(fh, content_type=doc.content_type, as_attachment=True, filename=doc.name)
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp["Cache-Control"] = "private, no-store"
    return resp
