"""Planning a meeting: validation, default invitees by audience (DOMAIN §1.1), notices, reminder,
edit and cancel."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.errors import REFUSAL_HEADER
from dangjian.core.models import AuditEvent
from dangjian.notify.models import Delivery, InboxMessage
from dangjian.orglife import selectors, services
from dangjian.orglife.models import Attendance, AttendanceStatus, Meeting, MeetingStatus

from .conftest import NOW, mtype


def names(qs):
    return sorted(m.name for m in qs)


def test_default_invitees_by_audience(world):
    assert names(selectors.default_invitees(world.b1, mtype("general_meeting"))) == sorted(
        ["李书记", "王委员", "赵党员", "钱预备", "孙组员"])  # all members incl. the Party group
    assert names(selectors.default_invitees(world.b1, mtype("committee_meeting"))) == ["李书记", "王委员"]
    assert names(selectors.default_invitees(world.g1, mtype("group_meeting"))) == ["孙组员"]
    assert list(selectors.default_invitees(world.b1, mtype("heart_talk"))) == []


def test_plan_creates_invitations_notices_and_audit(world, plan):
    m = plan()
    assert m.status == MeetingStatus.PLANNED
    assert Attendance.objects.filter(meeting=m, status=AttendanceStatus.INVITED).count() == 5
    # the three b1 members with accounts get an inbox notice; SMS rows go to every invitee
    inbox = InboxMessage.objects.filter(kind="orglife.meeting_planned")
    assert {i.user.username for i in inbox} == {"secretary", "committee", "member"}
    assert "11月主题党日" in inbox.first().title
    assert Delivery.objects.filter(kind="orglife.meeting_planned", channel="sms").count() == 5
    assert AuditEvent.objects.filter(action="orglife.meeting_plan", object_id=str(m.pk)).count() == 1


@pytest.mark.parametrize("over,field", [
    ({"host": "m_b2_0"}, "host"),
    ({"recorder": "m_b2_0"}, "recorder"),
    ({"invitees": []}, "invitees"),
    ({"invitees": ["m_b2_0"]}, "invitees"),
    ({"ends_at": NOW + dt.timedelta(days=1)}, "ends_at"),  # ends when it starts
    ({"starts_at": NOW - dt.timedelta(days=2)}, "starts_at"),  # already over
])
def test_plan_validation_refuses_and_writes_nothing(world, plan, over, field):
    resolved = {}
    for k, v in over.items():
        if v == "m_b2_0":
            v = world.m_b2[0]
        elif isinstance(v, list):
            v = [world.m_b2[0] if x == "m_b2_0" else x for x in v]
        resolved[k] = v
    if "starts_at" in resolved:
        resolved["ends_at"] = resolved["starts_at"] + dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as e:
        plan(**resolved)
    assert field in e.value.message_dict
    assert not Meeting.objects.exists() and not InboxMessage.objects.filter(kind="orglife.meeting_planned").exists()


def test_group_meeting_must_be_held_by_the_group(world, plan):
    with pytest.raises(ValidationError) as e:
        plan(code="group_meeting")
    assert [x.code for x in e.value.error_dict["meeting_type"]] == ["group_meeting"]
    m = plan(code="group_meeting", org=world.g1, host=world.m_group, recorder=world.m_group)
    assert list(Attendance.objects.filter(meeting=m).values_list("member__name", flat=True)) == ["孙组员"]


def test_plan_page_defaults_and_refusal(world, login, clock):
    c = login(world.users["secretary"])
    r = c.get(reverse("orglife-meeting-plan"), {"org": world.b1.pk, "type": mtype("committee_meeting").pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    checked = [w.data["label"] for w in r.context["form"]["invitees"] if w.data["selected"]]
    assert sorted(checked) == ["李书记", "王委员"]
    # htmx: switching the type re-renders the invitee boxes with that type's defaults
    r = c.get(reverse("orglife-meeting-plan"), {"org": world.b1.pk, "meeting_type": mtype("general_meeting").pk, "part": "invitees"},
              HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r.content.count(b"checked") == 5
    data = {"meeting_type": mtype("theme_day").pk, "title": "x", "starts_at": "2026-11-21T09:00", "ends_at": "2026-11-21T08:00",
            "place": "会议室", "host": world.m_secretary.pk, "recorder": world.m_committee.pk, "invitees": [world.m_member.pk]}
    r = c.post(reverse("orglife-meeting-plan") + f"?org={world.b1.pk}", data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "ends_before_start"
    assert [x.code for x in r.context["form"].errors.as_data()["ends_at"]] == ["ends_before_start"]
    data["ends_at"] = "2026-11-21T11:00"
    # a 主题党日 is for all members (DOMAIN §1.1): leaving four out is refused, naming them
    r = c.post(reverse("orglife-meeting-plan") + f"?org={world.b1.pk}", data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and not Meeting.objects.exists()
    assert r[REFUSAL_HEADER] == "invitees_left_out" and "李书记、王委员、钱预备、孙组员" in r.content.decode()
    data["invitees"] = [m.pk for m in selectors.default_invitees(world.b1, mtype("theme_day"))] + [world.m_b2[0].pk]
    r = c.post(reverse("orglife-meeting-plan") + f"?org={world.b1.pk}", data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "invitees" in r.context["form"].errors  # another branch's member
    data["invitees"].pop()
    r = c.post(reverse("orglife-meeting-plan") + f"?org={world.b1.pk}", data)
    m = Meeting.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("orglife-meeting-detail", kwargs={"pk": m.pk})
    assert Attendance.objects.filter(meeting=m).count() == 5


def test_org_admin_plans_only_for_its_own_org(world):
    from dangjian.core.policy import Scope

    assert list(selectors.plannable_orgs(Scope.for_user(world.users["town_admin"]))) == [world.t1]
    assert set(selectors.plannable_orgs(Scope.for_user(world.users["secretary"]))) == {world.b1, world.g1}


def test_reminder_is_sent_once(world, plan, clock, settings):
    settings.DANGJIAN_ORGLIFE_REMINDER_MINUTES = 120
    m = plan(starts_at=NOW + dt.timedelta(hours=5))
    assert services.send_due_reminders() == 0  # 5 h ahead: not yet
    clock.move_to(NOW + dt.timedelta(hours=3, minutes=5))
    assert services.send_due_reminders() == 1
    assert services.send_due_reminders() == 0  # the periodic job runs again: nothing twice
    m.refresh_from_db()
    assert m.reminder_sent_at is not None
    assert InboxMessage.objects.filter(kind="orglife.meeting_reminder").count() == 3
    # a meeting planned inside the lead time counts as reminded by its notice
    m2 = plan(starts_at=NOW + dt.timedelta(hours=4))
    assert m2.reminder_sent_at is not None and services.send_due_reminders() == 0


def test_reminder_task_runs_through_the_job_queue(world, plan, clock):
    from dangjian.jobs.api import PERIODIC
    from dangjian.orglife.tasks import meeting_reminders

    assert PERIODIC["orglife.meeting_reminders"] is meeting_reminders
    plan(starts_at=NOW + dt.timedelta(hours=3))
    clock.move_to(NOW + dt.timedelta(hours=1, minutes=30))
    meeting_reminders()  # Huey runs it at once in tests
    meeting_reminders()
    assert InboxMessage.objects.filter(kind="orglife.meeting_reminder").count() == 3


def test_edit_and_cancel_while_planned(world, plan, login):
    # a 支委会 with 赵党员 attending without a vote (列席)
    m = plan(code="committee_meeting", invitees=[world.m_secretary, world.m_committee, world.m_member])
    c = login(world.users["secretary"])
    data = {"title": "改期的支委会", "starts_at": "2026-11-22T15:00", "ends_at": "2026-11-22T17:00", "place": "村委会",
            "host": world.m_secretary.pk, "recorder": world.m_committee.pk, "agenda": "",
            "invitees": [world.m_secretary.pk, world.m_committee.pk, world.m_member.pk, world.m_b2[0].pk]}
    r = c.post(reverse("orglife-meeting-edit", kwargs={"pk": m.pk}), data)
    assert r.status_code == 200 and "invitees" in r.context["form"].errors  # a member of another branch
    data["invitees"] = [world.m_secretary.pk, world.m_member.pk]
    r = c.post(reverse("orglife-meeting-edit", kwargs={"pk": m.pk}), data)
    assert r.status_code == 200 and "invitees" in r.context["form"].errors  # a committee member left out
    data["invitees"] = [world.m_secretary.pk, world.m_committee.pk, world.m_member.pk]
    r = c.post(reverse("orglife-meeting-edit", kwargs={"pk": m.pk}), data)
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.place == "村委会" and Attendance.objects.filter(meeting=m).count() == 3
    data["invitees"] = [world.m_secretary.pk, world.m_committee.pk]
    data["place"] = "村委会二楼"
    assert c.post(reverse("orglife-meeting-edit", kwargs={"pk": m.pk}), data).status_code == 302
    assert Attendance.objects.filter(meeting=m).count() == 2  # 列席 may be dropped again
    assert InboxMessage.objects.filter(kind="orglife.meeting_changed", user=world.users["member"]).exists()
    r = c.post(reverse("orglife-meeting-cancel", kwargs={"pk": m.pk}), {"reason": ""})
    assert r.status_code == 200 and Meeting.objects.get(pk=m.pk).status == MeetingStatus.PLANNED
    r = c.post(reverse("orglife-meeting-cancel", kwargs={"pk": m.pk}), {"reason": "防汛"})
    assert r.status_code == 302 and Meeting.objects.get(pk=m.pk).status == MeetingStatus.CANCELLED
    assert InboxMessage.objects.filter(kind="orglife.meeting_cancelled", user=world.users["committee"], body__contains="防汛").exists()
    with pytest.raises(ValidationError) as e:
        services.cancel_meeting(actor=world.users["secretary"], meeting=m, reason="again")
    assert e.value.code == "not_planned"
    r = c.get(reverse("orglife-meeting-edit", kwargs={"pk": m.pk}))
    assert r.status_code == 302  # no editing a cancelled meeting


def test_custom_meeting_type_for_the_county_subtree(world, login):
    c = login(world.users["county_admin"])
    r = c.post(reverse("orglife-type-add"), {"owner": world.county.pk, "name": "阳光议事会", "audience": "all", "frequency": "month",
                                             "min_per_period": 1, "required": "on", "active": "on"})
    assert r.status_code == 302
    t = selectors.types_for_org(world.b1).get(name="阳光议事会")
    assert t.owner == world.county and t.required
    assert not selectors.types_for_org(world.b4).filter(name="阳光议事会").exists()  # the other county
    r = c.post(reverse("orglife-type-add"), {"owner": world.county.pk, "name": "支委会", "audience": "all", "frequency": "month",
                                             "min_per_period": 1})
    assert r.status_code == 200 and "name" in r.context["form"].errors  # clashes with a built-in type
    s = login(world.users["secretary"])
    r = s.get(reverse("orglife-types"))
    assert "阳光议事会" in r.content.decode() and "支部党员大会" in r.content.decode()
    assert s.get(reverse("orglife-type-edit", kwargs={"pk": t.pk})).status_code == 404  # secretary sees no county row


def test_party_lecture_records_its_lecturer(world, plan, login):
    """A 党课's lecturer: a member of the branch or staff of an organization above; another
    branch's member is refused; other types carry none."""
    from django.contrib.auth import get_user_model

    from dangjian.core import services as org_services

    m = plan(code="party_lecture", lecturer=world.m_secretary)
    assert m.lecturer == world.m_secretary
    with pytest.raises(ValidationError) as exc:
        plan(code="party_lecture", lecturer=world.m_b3[0])
    assert [x.code for x in exc.value.error_dict["lecturer"]] == ["lecturer_not_allowed"]
    # a town leader (a member elsewhere whose account is staff of the town) may lecture in b1
    leader = world.m_b2[0]
    leader.user = get_user_model().objects.create_user("dongzhen-shuji", password="x" * 16)
    leader.save(update_fields=["user"])
    org_services.grant_role(actor=None, user=leader.user, org=world.t1, role="org_admin")
    assert plan(code="party_lecture", lecturer=leader).lecturer == leader
    assert plan(code="theme_day", lecturer=world.m_secretary).lecturer is None
    page = login(world.users["secretary"]).get(reverse("orglife-meeting-detail", kwargs={"pk": m.pk})).content.decode()
    assert 'data-testid="lecturer"' in page and world.m_secretary.name in page
