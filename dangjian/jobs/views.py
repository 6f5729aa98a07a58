"""Job pages: my recent jobs, one job's progress (HTMX polling), its result download.

A job belongs to the user who started it: anyone else gets 404, as for a missing job.
"""
from __future__ import annotations

import mimetypes

from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from dangjian.core import audit
from dangjian.core.web import authenticated

from . import services
from .models import Job

CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
}


def _own_job(request, pk) -> Job:
    return get_object_or_404(Job, pk=pk, actor_id=request.user.pk)


@authenticated
def job_list(request):
    jobs = Job.objects.filter(actor_id=request.user.pk).order_by("-created_at", "-pk")[:50]
    return render(request, "jobs/list.html", {"jobs": jobs})


@authenticated
def job_detail(request, pk):
    job = _own_job(request, pk)
    template = "jobs/_status.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    return render(request, template, {"job": job})


@authenticated
def job_download(request, pk):
    """The result file as an attachment (nosniff); audited. Not ready yet: back to the job page."""
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE:
        return redirect("job-detail", pk=job.pk)
    path = services.result_path(job)
    if path is None:
        raise Http404
    with transaction.atomic():
        audit.record(actor=request.user, action="job.download", obj=job, data={"kind": job.kind, "file": job.result_name})
    ctype = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=job.result_name or path.name, content_type=ctype)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
