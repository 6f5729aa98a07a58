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


def make_record(world, org, member):
    from dangjian.minutes.models import MeetingRecord

    m = make_meeting(world, org, member)
    return MeetingRecord.objects.create(
        meeting=m, org=org, org_path=org.path, meeting_name=m.title, type_name=m.type.name,
        starts_at=m.starts_at, ends_at=m.ends_at, place=m.place, host=member, recorder=member,
        host_name=getattr(member, "name", ""), recorder_name=getattr(member, "name", ""),
    )


def make_vote(world, org, member):
    from dangjian.minutes.models import Vote

    r = make_record(world, org, member)
    return Vote.objects.create(record=r, org_path=r.org_path, motion="议题", voters_total=3, voters_present=3,
                               yes=3, no=0, abstain=0, passed=True, result_code="ok")


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(buf, format="PNG")
    return buf.getvalue()


def make_attachment(world, org, member):
    from dangjian.minutes.models import Attachment

    r = make_record(world, org, member)
    data = png_bytes()
    a = Attachment(record=r, org_path=r.org_path, kind="photo", original_name="photo.png", content_type="image/png",
                   size=len(data), sha256="0" * 64)
    a.file.save("photo.png", ContentFile(data), save=False)
    a.save()
    return a


TARGETS = {
    "Meeting": make_meeting,
    "MeetingRecord": make_record,
    "Vote": make_vote,
    "Attachment": make_attachment,
}
POST_ONLY = {"minutes-start", "minutes-sign", "minutes-vote-delete", "minutes-attachment-delete"}
