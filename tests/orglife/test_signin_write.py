"""The sign-in's write (audit.update_recorded): the attendance UPDATE and its audit row go
together — one statement on PostgreSQL — or not at all."""
from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

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


# -- the tap on the confirm button: services.sign_in_confirmed (one statement on PostgreSQL) -------

def _confirmed_post(world, login, meeting, user="member"):
    from .test_signin import qr_url

    c = login(world.users[user])
    confirm = c.get(qr_url(meeting)).context["c"]
    return lambda: c.post(qr_url(meeting), {"c": confirm})


#: a first sign-in: session, user, then PostgreSQL one statement (invitation, UPDATE, audit row);
#: SQLite: the lookup, then the UPDATE and the audit row in a savepoint (position read first)
QUERIES_FIRST = {"postgresql": 3, "sqlite": 8}
#: the same tap again: PostgreSQL the one statement changes nothing; SQLite the lookup
QUERIES_AGAIN = {"postgresql": 3, "sqlite": 3}


def test_the_tap_signs_in_with_one_statement_and_its_audit_row(world, login, open_meeting, django_assert_num_queries):
    tap = _confirmed_post(world, login, open_meeting)
    before = AuditEvent.objects.count()
    with django_assert_num_queries(QUERIES_FIRST[connection.vendor]):
        r = tap()
    assert r.status_code == 200 and b'data-testid="signin-ok"' in r.content
    att = _row(open_meeting, world.m_member)
    assert (att.status, att.method, att.recorded_by_id) == ("present", "qr", world.users["member"].pk)
    ev = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (ev.action, ev.object_type, ev.object_id, ev.org_path, ev.actor_id, ev.actor_name) == (
        "orglife.sign_in", "orglife.attendance", str(att.pk), world.b1.path, world.users["member"].pk, "member")
    assert ev.data == {"meeting": open_meeting.pk, "member": world.m_member.pk, "method": "qr", "status": "present"}
    with django_assert_num_queries(QUERIES_AGAIN[connection.vendor]):
        r = tap()  # a double tap: "already", nothing more written
    assert r.status_code == 200 and b'data-testid="signin-already"' in r.content
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.parametrize(("minutes_after_start", "status"), [(15, "present"), (16, "late")])
def test_the_tap_counts_late_as_the_service_does(world, login, open_meeting, clock, minutes_after_start, status):
    """The statement's rule (PostgreSQL) and :func:`status_for_signin` agree: late strictly after
    the start + ``late_minutes()`` (15)."""
    import datetime as dt

    clock.move_to(open_meeting.starts_at + dt.timedelta(minutes=minutes_after_start))
    _confirmed_post(world, login, open_meeting)()
    assert _row(open_meeting, world.m_member).status == status
    assert services.status_for_signin(open_meeting, open_meeting.starts_at + dt.timedelta(minutes=minutes_after_start)) == status
    assert AuditEvent.objects.filter(action="orglife.sign_in").order_by("-seq").first().data["status"] == status


def test_the_tap_of_someone_not_invited_or_without_a_record_is_refused_by_the_full_path(world, login, plan, clock):
    from dangjian.orglife import selectors as sel

    m = services.open_signin(actor=world.users["secretary"], meeting=plan(  # a 支委会: the committee only
        code="committee_meeting", starts_at=open_meeting_start(), invitees=[world.m_secretary, world.m_committee]))
    assert sel.signin_invitation(world.users["member"], m.pk) is None
    from .test_signin import qr_url

    c = login(world.users["member"])
    r = c.get(qr_url(m))
    assert r.status_code == 403 and r.context["code"] == "not_invited"
    assert services.sign_in_confirmed(actor=world.users["member"], meeting_id=m.pk, method="qr") is None
    assert services.sign_in_confirmed(actor=world.users["outsider"], meeting_id=m.pk, method="qr") is None
    assert not AuditEvent.objects.filter(action="orglife.sign_in").exists()


def open_meeting_start():
    import datetime as dt

    from .conftest import NOW

    return NOW + dt.timedelta(minutes=30)
