"""Roster workbook pages: export, import template, upload → check → preview → confirm, error sheet.

Thin views over members.roster_xlsx. Every view declares its POLICY entry via ``scoped``:
export is ("member", "export"); the import pages are ("member", "add"). The organization is
chosen in the form among those the user's scope allows, so out-of-scope ids are not offered.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.privacy import MASKERS
from dangjian.core.web import scoped

from . import roster_xlsx as rx
from . import services
from .forms import RosterExportForm, RosterUploadForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "roster_import"
EXPORT_JOB_KIND = rx.EXPORT_JOB_KIND


def xlsx_response(filename: str, data: bytes) -> HttpResponse:
    r = HttpResponse(data, content_type=XLSX)
    r["Content-Disposition"] = f'attachment; filename="{filename}"'
    r["X-Content-Type-Options"] = "nosniff"
    r["Cache-Control"] = "no-store"
    return r


# -- export ---------------------------------------------------------------------------------------

def export_access(scope, org, clear: bool) -> list[tuple[str, str, str]]:
    """The rights a roster export file needs at download (checked again then, issue 10 item 5):
    member export on the organization and, for clear text, member reveal wherever this user's
    reveal reach meets the subtree (the rows that will be shown unmasked)."""
    access = [("member", "export", org.path)]
    if clear:
        for _reach, path in scope.reaches("member", "reveal"):
            if path.startswith(org.path) or org.path.startswith(path):
                deeper = max(path, org.path, key=len)
                if scope.path_allows("member", "reveal", deeper) and ("member", "reveal", deeper) not in access:
                    access.append(("member", "reveal", deeper))
    return access


def _start_export_job(request, scope, org, clear: bool) -> str:
    """Run a large export as a job: its page shows progress; an inbox message holds the link."""
    from dangjian.jobs import api as jobs_api

    rx.register_export_job()
    access = export_access(scope, org, clear)
    job = jobs_api.start_job(actor=request.user, kind=EXPORT_JOB_KIND, params={"org": org.pk, "clear": bool(clear)},
                             org_path=org.path, title=_("Roster of %(o)s") % {"o": org.name},
                             access=access, clear_text=any(a[1] == "reveal" for a in access))
    return jobs_api.job_url(job)


@scoped("member", "export")
def roster_export(request, scope):
    orgs = rx.export_orgs(scope)
    can_reveal = scope.has_any("member", "reveal")
    form = RosterExportForm(request.POST or None, initial={"org": request.GET.get("org") if str(request.GET.get("org", "")).isdigit() else None},
                            orgs=orgs, can_reveal=can_reveal)
    if request.method == "POST" and form.is_valid():
        org = form.cleaned_data["org"]
        clear = bool(form.cleaned_data.get("clear"))
        n = rx.export_count(scope, org)
        if n > rx.direct_export_limit():
            url = _start_export_job(request, scope, org, clear)
            messages.info(request, _("%(n)s rows: the workbook is being prepared; a message in your inbox will hold the download link.") % {"n": n})
            return redirect(url)
        try:
            filename, data, _n = rx.export_roster(actor=request.user, scope=scope, org=org, clear=clear)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return xlsx_response(filename, data)
    return render(request, "members/roster_export.html", {"form": form, "limit": rx.direct_export_limit()})


# -- import ---------------------------------------------------------------------------------------

@scoped("member", "add")
def roster_template(request, scope):
    return xlsx_response("roster-template.xlsx", rx.template_workbook(scope))


def _forget(request) -> None:
    state = request.session.pop(SESSION_KEY, None) or {}
    rx.discard_upload(state.get("token"))


def _preview_rows(report, n: int = 10):
    out = []
    for row, org, clean in report.valid[:n]:
        out.append({"line": row.line, "name": clean["name"], "id": MASKERS["id_number"](clean["id_number"]),
                    "status": rx.LABELS["status"].get(clean["status"], ""), "org": org.name})
    return out


def _render_report(request, form, report, token: str, filename: str):
    ctx = {
        "form": form,
        "report": report,
        "counts": report.counts,
        "errors": sorted(report.errors.items()),
        "preview": _preview_rows(report),
        "by_org": report.by_org(),
        "token": token,
        "filename": filename,
    }
    return render(request, "members/roster_import.html", ctx)


@scoped("member", "add")
def roster_import(request, scope):
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        _forget(request)
        token = None
        try:
            if f.size > rx.max_upload_bytes():
                raise rx.BadRosterFile(_("The file is %(s)s MB; the limit is %(c)s MB.") % {
                    "s": round(f.size / 1048576, 1), "c": round(rx.max_upload_bytes() / 1048576, 1)}, code="too_big")
            token = rx.store_upload(f.chunks())
            path = rx.upload_path(token)
            rx.check_file(path, filename=f.name)
            parsed = rx.read_rows(path)
        except rx.BadRosterFile as exc:
            rx.discard_upload(token)
            form.add_error("file", exc)  # keeps the refusal code
            return render(request, "members/roster_import.html", {"form": form})
        report = rx.validate(scope, parsed)
        services.route_duplicates(actor=request.user, pairs=report.elsewhere, via="import")
        request.session[SESSION_KEY] = {"token": token, "name": f.name[:100]}
        return _render_report(request, RosterUploadForm(), report, token, f.name)
    return render(request, "members/roster_import.html", {"form": form})


@scoped("member", "add")
def roster_import_errors(request, scope):
    state = request.session.get(SESSION_KEY) or {}
    path = rx.upload_path(state.get("token"))
    if path is None:
        messages.warning(request, _("Upload the workbook again: the checked file is no longer kept."))
        return redirect("member-roster-import")
    try:
        rx.check_file(path)
        report = rx.validate(scope, rx.read_rows(path))
    except rx.BadRosterFile as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("member-roster-import")
    return xlsx_response("roster-errors.xlsx", rx.error_workbook(report))


@scoped("member", "add")
def roster_import_confirm(request, scope):
    if request.method != "POST":
        return redirect("member-roster-import")
    if "cancel" in request.POST:
        _forget(request)
        return redirect("member-roster-import")
    state = request.session.get(SESSION_KEY) or {}
    path = rx.upload_path(state.get("token"))
    if path is None or request.POST.get("token") != state.get("token"):
        messages.warning(request, _("Upload the workbook again: the checked file is no longer kept."))
        return redirect("member-roster-import")
    try:
        rx.check_file(path)
        parsed = rx.read_rows(path)
        result = rx.import_rows(actor=request.user, scope=scope, parsed=parsed)
    except rx.ImportRefused as exc:
        messages.error(request, exc.messages[0])
        return _render_report(request, RosterUploadForm(), exc.report, state["token"], state.get("name", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("member-roster-import")
    _forget(request)
    messages.success(request, _("Imported %(n)s members into %(o)s organizations.") % {"n": result["rows"], "o": result["orgs"]})
    url = reverse("member-roster")
    root = result.get("root")
    return redirect(f"{url}?org={root.pk}" if root is not None and scope.can("view", root) else url)
