"""The sign-in's write (audit.update_recorded): the attendance UPDATE and its audit row go
together — one statement on PostgreSQL — or not at all."""
from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from dangjian.core import audit
from dangjian.core.models import AuditEvent
from dangjian.orglife import services
from dangjian.orglife.models import Attendance, Meeting, MeetingStatus

pytestmark = pytest.mark.django_db


def _row(meeting, member):
    return Attendance.objects.get(meeting=meeting, member=member)


def test_a_sign_in_writes_its_row_and_one_audit_row_naming_it(world, open_meeting):
    before = AuditEvent.objects.count()
    att, created = services.sign_in(actor=world.users["member"], meeting=open_meeting, member=world.m_member, method="qr")
    assert created and _row(open_meeting, world.m_member).status == "present"
    ev = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (ev.action, ev.object_type, ev.object_id, ev.org_path, ev.actor_id) == (
        "orglife.sign_in", "orglife.attendance", str(att.pk), world.b1.path, world.users["member"].pk)
    assert ev.data == {"meeting": open_meeting.pk, "member": world.m_member.pk, "method": "qr", "status": "present"}
    assert ev.seq == AuditEvent.objects.exclude(pk=ev.pk).order_by("-seq").first().seq + 1


def test_a_refused_update_writes_no_audit_row_and_takes_no_position(world, open_meeting):
    att = _row(open_meeting, world.m_member)
    stale = Meeting.objects.get(pk=open_meeting.pk)
    Meeting.objects.filter(pk=open_meeting.pk).update(status=MeetingStatus.CLOSED)  # ended meanwhile
    rows, handed = AuditEvent.objects.count(), audit._handed_out()
    with pytest.raises(Exception) as exc:
        services.sign_in(actor=world.users["member"], meeting=stale, member=world.m_member, method="qr", attendance=att)
    assert getattr(exc.value, "code", None) == "ended"
    assert AuditEvent.objects.count() == rows and audit._handed_out() == handed
    assert _row(open_meeting, world.m_member).status == "invited"


def test_when_the_database_refuses_the_audit_row_the_sign_in_is_not_written(world, open_meeting, audit_refused):
    rows = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        services.sign_in(actor=world.users["member"], meeting=open_meeting, member=world.m_member, method="qr")
    assert _row(open_meeting, world.m_member).status == "invited"
    assert AuditEvent.objects.count() == rows
