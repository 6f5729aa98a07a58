"""Read-side helpers of the job pages."""
from __future__ import annotations

from .models import Job

RECENT_JOBS = 50


def recent_jobs(user):
    """The user's own jobs, newest first, the last :data:`RECENT_JOBS` of them (a job belongs to
    the user who started it; nobody else sees it)."""
    return Job.objects.filter(actor_id=user.pk).order_by("-created_at", "-pk")[:RECENT_JOBS]
