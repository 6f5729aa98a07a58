"""Authz-matrix targets of the minutes URLs (tests/core/test_authz_matrix.py)."""
from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.utils import timezone


def make_meeting(world, org, member):
    from dangjian.orglife.models import Meeting, MeetingType

    start = timezone.now() - dt.timedelta(days=2)
    return Meeting.objects.create(
        org=org, org_path=org.path, type=MeetingType.objects.get(code="general_meeting", owner_path=""),
        title=f"{org.name}支部党员大会", starts_at=start, ends_at=start + dt.timedelta(hours=2), place="党员活动室",
        host=member, recorder=member,
    )


def make_record(world, org, member, **over):
    """A record the organization publishes to its members (signed, current, of a 支部党员大会 all
    of the organization's members were invited to), so the matrix checks the organization
    relation; what a member may not read inside their own branch (drafts, 支委会 records, others'
    leave reasons) is tests/security/test_minutes_visibility.py's."""
    from dangjian.members.models import Member
    from dangjian.minutes.models import MeetingRecord
    from dangjian.orglife.models import Attendance

    m = make_meeting(world, org, member)
    for invitee in Member.objects.filter(org=org):
        Attendance.objects.create(meeting=m, member=invitee, org_path=org.path, status="present")
    fields = dict(
        meeting=m, org=org, org_path=org.path, meeting_name=m.title, type_name=m.type.name,
        starts_at=m.starts_at, ends_at=m.ends_at, place=m.place, host=member, recorder=member,
        host_name=getattr(member, "name", ""), recorder_name=getattr(member, "name", ""),
        status="signed", signed_at=timezone.now(),
    )
    fields.update(over)
    return MeetingRecord.objects.create(**fields)


def make_draft(world, org, member):
    return make_record(world, org, member, status="draft", signed_at=None)


def make_vote(world, org, member):
    from dangjian.minutes.models import Vote

    r = make_draft(world, org, member)  # votes are added to drafts (a signed record refuses them)
    return Vote.objects.create(record=r, org_path=r.org_path, motion="议题", voters_total=3, voters_present=3,
                               yes=3, no=0, abstain=0, passed=True, result_code="ok")


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(buf, format="PNG")
    return buf.getvalue()


def make_attachment(world, org, member):
    from dangjian.minutes.models import Attachment

    r = make_draft(world, org, member)
    data = png_bytes()
    a = Attachment(record=r, org_path=r.org_path, kind="photo", original_name="photo.png", content_type="image/png",
                   size=len(data), sha256="0" * 64)
    a.file.save("photo.png", ContentFile(data), save=False)
    a.save()
    type(r).objects.filter(pk=r.pk).update(status="signed", signed_at=timezone.now())  # published, like make_record's
    return a


TARGETS = {
    "Meeting": make_meeting,
    "MeetingRecord": make_record,
    "Vote": make_vote,
    "Attachment": make_attachment,
}
POST_ONLY = {"minutes-start", "minutes-sign", "minutes-vote-delete", "minutes-attachment-delete"}
