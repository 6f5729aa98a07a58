"""The QR page's one-statement lookup (selectors.signin_invitation, written out for the sign-in
storm) reads exactly what the ORM reads, on SQLite and on PostgreSQL, and costs one query."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.orglife import selectors, services
from dangjian.orglife.models import Attendance

from .conftest import TZ

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world, clock, plan):
    start = dt.datetime(2026, 11, 21, 9, 0, tzinfo=TZ)
    clock.move_to(start - dt.timedelta(minutes=30))
    m = plan(starts_at=start, place="村部")
    return services.open_signin(actor=world.users["secretary"], meeting=m)


def test_the_lookup_matches_the_orm_field_by_field(world, meeting, django_assert_num_queries):
    with django_assert_num_queries(1):
        att = selectors.signin_invitation(world.users["member"], meeting.pk)
        m, member, org = att.meeting, att.member, att.meeting.org  # already loaded: no query
    orm = Attendance.objects.select_related("meeting__org", "member").get(meeting=meeting, member=world.m_member)
    for name in selectors.SIGNIN_COLUMNS["attendance"]:
        assert getattr(att, name) == getattr(orm, name), name
    for name in selectors.SIGNIN_COLUMNS["meeting"]:
        assert getattr(m, name) == getattr(orm.meeting, name), name
    for name in selectors.SIGNIN_COLUMNS["member"]:
        assert getattr(member, name) == getattr(orm.member, name), name
    assert org.name == world.b1.name and org.pk == world.b1.pk
    assert m.starts_at.tzinfo is not None  # an aware datetime on both backends (SQLite's converters applied)
    assert not att._state.adding and att._state.db == "default"  # a saved row: save(update_fields) works on it


def test_no_invitation_or_no_active_member_reads_none(world, meeting):
    assert selectors.signin_invitation(world.users["secretary2"], meeting.pk) is None  # no member record
    Attendance.objects.filter(meeting=meeting, member=world.m_committee).delete()
    assert selectors.signin_invitation(world.users["committee"], meeting.pk) is None  # a member, not invited
    assert selectors.signin_invitation(world.users["member"], meeting.pk + 999) is None


def test_a_column_left_out_is_read_on_demand(world, meeting):
    att = selectors.signin_invitation(world.users["member"], meeting.pk)
    assert att.meeting.agenda == "学习"  # deferred, fetched when used
    assert att.member.gender == world.m_member.gender
