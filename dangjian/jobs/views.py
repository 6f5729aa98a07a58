"""Job pages: my recent jobs, one job's progress (HTMX polling), its result download, a retry.

A job belongs to the user who started it: anyone else gets 404, as for a missing job. The
progress page polls a read-only view (it writes nothing of its own). Downloads re-check the
user's current rights (services.download) and are audited; refusals answer 403 (rights lost)
or 410 (the file was deleted after its retention) with a retry button.
"""
from __future__ import annotations

import io
import mimetypes

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.web import authenticated

from . import selectors, services
from .api import failure_message
from .models import Job

CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
}
REFUSALS = {  # code -> (HTTP status, message)
    "not_allowed": (403, lambda: _("You may no longer download this file: your roles changed since the export.")),
    "expired": (410, lambda: _("The file was deleted after its retention period. Start the export again.")),
}


def _own_job(request, pk) -> Job:
    return get_object_or_404(Job, pk=pk, actor_id=request.user.pk)


def _context(job: Job, **extra) -> dict:
    retryable = job.status == Job.Status.FAILED or (job.status == Job.Status.DONE and job.expired)
    return {"job": job, "failure": failure_message(job.error_code) if job.status == Job.Status.FAILED else "",
            "retryable": retryable, "retention_hours": f"{services.retention_hours():g}", **extra}


@authenticated
def job_list(request):
    jobs = selectors.recent_jobs(request.user)
    return render(request, "jobs/list.html", {"jobs": jobs})


@authenticated
def job_detail(request, pk):
    job = _own_job(request, pk)
    template = "jobs/_status.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    return render(request, template, _context(job))


@authenticated
def job_download(request, pk):
    """The result file as an attachment (nosniff), rights re-checked now; audited. Not ready yet:
    back to the job page."""
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE:
        return redirect("job-detail", pk=job.pk)
    try:
        filename, data = services.download(actor=request.user, job=job)
    except services.JobRefused as exc:
        if exc.code not in REFUSALS:
            raise Http404 from None
        status, message = REFUSALS[exc.code]
        response = render(request, "jobs/detail.html", _context(job, refusal=message(), refusal_code=exc.code), status=status)
        response["Cache-Control"] = "private, no-store"
        return response
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ctype = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=ctype)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@authenticated
@require_POST
def job_retry(request, pk):
    """Start a failed (or expired) job again; the new job's page follows."""
    job = _own_job(request, pk)
    try:
        new = services.retry_job(actor=request.user, job=job)
    except services.JobRefused as exc:
        if exc.code == "not_allowed":
            status, message = REFUSALS["not_allowed"]
            return render(request, "jobs/detail.html", _context(job, refusal=message(), refusal_code=exc.code), status=status)
        return redirect("job-detail", pk=job.pk)
    return redirect("job-detail", pk=new.pk)
