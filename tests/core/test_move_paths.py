"""Moving an organization carries every row scoped by its path (meetings, cases, bills...):
nothing drops out of the new superior's sight, nothing stays visible to the old one."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.core import services as org_services
from dangjian.core.policy import Scope
from dangjian.core.services import path_columns
from dangjian.orglife.models import Attendance, Meeting, MeetingType


def test_every_scoped_model_has_its_path_column_rewritten():
    names = {(m.__name__, f) for m, f in path_columns()}
    assert {("Member", "org_path"), ("Meeting", "org_path"), ("Transfer", "from_path"), ("Transfer", "to_path")} <= names
    assert not any(m == "AuditEvent" for m, _f in names)  # history keeps the path it had


def test_moving_a_branch_moves_its_meetings_into_the_new_towns_scope(world):
    start = timezone.now() + dt.timedelta(days=2)
    meeting = Meeting.objects.create(
        org=world.b1, org_path=world.b1.path, type=MeetingType.objects.get(owner_path="", code="theme_day"),
        title="主题党日", starts_at=start, ends_at=start + dt.timedelta(hours=2), place="村部")
    Attendance.objects.create(meeting=meeting, member=world.m_member, org_path=world.b1.path)
    town2 = Scope.for_user(world.users["town2_admin"])
    town1 = Scope.for_user(world.users["town_admin"])
    assert not town2.filter(Meeting.objects.all()).filter(pk=meeting.pk).exists()

    org_services.move_organization(actor=world.users["county_admin"], org=world.b1, new_parent=world.t2)

    world.b1.refresh_from_db()
    meeting.refresh_from_db()
    assert meeting.org_path == world.b1.path and world.b1.path.startswith(world.t2.path)
    assert Attendance.objects.get(meeting=meeting).org_path == world.b1.path
    assert town2.filter(Meeting.objects.all()).filter(pk=meeting.pk).exists()
    assert not town1.filter(Meeting.objects.all()).filter(pk=meeting.pk).exists()
