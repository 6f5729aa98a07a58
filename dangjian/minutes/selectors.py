"""Read-side helpers of the minutes pages."""
from __future__ import annotations

from dangjian.core.models import Organization

from .models import MeetingRecord


def record_list(scope, org: Organization | None = None):
    """The newest version of each visible meeting record, newest meeting first."""
    qs = scope.filter(MeetingRecord.objects.all(), "view").filter(correction__isnull=True)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    return qs.select_related("meeting", "org").order_by("-starts_at", "-id")


def versions(record: MeetingRecord):
    """Every version of the record's meeting, newest first."""
    return MeetingRecord.objects.filter(meeting_id=record.meeting_id).order_by("-version")


def latest_version(meeting) -> MeetingRecord | None:
    return MeetingRecord.objects.filter(meeting=meeting).order_by("-version").first()


def verify_orgs(scope):
    """Organizations whose record chain this user may check (meeting/print reach) and that have
    signed records."""
    orgs = MeetingRecord.objects.filter(chain_seq__isnull=False).values("org_id")
    return Organization.objects.filter(scope.q_paths("meeting", "print", "path")).filter(pk__in=orgs).order_by("path")
