"""Pages: meeting list and detail, my meetings, the member-file panel (and its privacy)."""
from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from dangjian.orglife import services
from dangjian.orglife.models import MeetingStatus

from .conftest import NOW, mtype


def test_meeting_list_filters_and_scope(world, login, plan):
    plan(title="十一月主题党日")
    plan(code="committee_meeting", title="十一月支委会", invitees=[world.m_secretary, world.m_committee])
    plan(org=world.b2, title="西村党课", code="party_lecture", host=world.m_b2[0], recorder=world.m_b2[1], invitees=world.m_b2)
    c = login(world.users["secretary"])
    r = c.get(reverse("orglife-meetings"))
    assert r.status_code == 200
    titles = [m.title for m in r.context["page"]]
    assert sorted(titles) == ["十一月主题党日", "十一月支委会"]  # never the sibling branch
    r = c.get(reverse("orglife-meetings"), {"type": mtype("committee_meeting").pk})
    assert [m.title for m in r.context["page"]] == ["十一月支委会"]
    r = c.get(reverse("orglife-meetings"), {"month": "2026-10"})
    assert list(r.context["page"]) == []
    assert c.get(reverse("orglife-meetings"), {"org": world.b2.pk}).status_code == 404
    r = login(world.users["town_admin"], Client()).get(reverse("orglife-meetings"), {"org": world.b2.pk, "month": "2026-11"})
    assert [m.title for m in r.context["page"]] == ["西村党课"]


def test_meeting_detail_for_member_hides_the_attendance_list(world, login, plan):
    m = plan()
    services.create_exemption(actor=world.users["secretary"], member=world.m_committee, basis="ill", note="",
                              starts_on=dt.date(2026, 11, 1), ends_on=None)
    r = login(world.users["member"]).get(reverse("orglife-meeting-detail", kwargs={"pk": m.pk}))
    assert r.status_code == 200 and b"data-testid=\"attendance-row\"" not in r.content and b"ask-leave" in r.content
    r = login(world.users["secretary"], Client()).get(reverse("orglife-meeting-detail", kwargs={"pk": m.pk}))
    assert r.content.count(b'data-testid="attendance-row"') == 5


def test_my_meetings(world, login, plan, clock):
    up = plan(title="明天的主题党日")
    past = plan(title="上午的会", starts_at=NOW + dt.timedelta(minutes=30))
    services.open_signin(actor=world.users["secretary"], meeting=past)
    services.sign_in(actor=None, meeting=past, member=world.m_member, method="qr")
    services.close_meeting(actor=world.users["secretary"], meeting=past)
    r = login(world.users["member"]).get(reverse("orglife-my-meetings"), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert [a.meeting.title for a in r.context["upcoming"]] == ["明天的主题党日"]
    assert [(a.meeting.title, a.status, a.method) for a in r.context["past"]] == [("上午的会", "present", "qr")]
    assert b"Ask for leave" in r.content and f"meeting-{up.pk}".encode() in r.content
    r = login(world.users["outsider"], Client()).get(reverse("orglife-my-meetings"), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and b"not linked to a Party member record" in r.content


def _closed_meeting(world, plan):
    m = plan(starts_at=NOW + dt.timedelta(minutes=30))
    services.open_signin(actor=world.users["secretary"], meeting=m)
    services.sign_in(actor=None, meeting=m, member=world.m_member, method="qr")
    services.close_meeting(actor=world.users["secretary"], meeting=m)
    return m


def test_member_panel_shows_attendance_method_and_points(world, login, plan, clock):
    m = _closed_meeting(world, plan)
    r = login(world.users["secretary"]).get(reverse("member-detail", kwargs={"pk": world.m_member.pk}), HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert 'data-testid="member-panel-orglife-attendance"' in html
    assert f'data-meeting="{m.pk}" data-status="present"' in html and "QR code on a phone" in html
    assert r.context["panels"][0]["ctx"]["points_total"] == 2
    r = login(world.users["secretary"], Client()).get(reverse("member-detail", kwargs={"pk": world.m_committee.pk}))
    assert 'data-status="absent"' in r.content.decode()
    assert r.context["panels"][0]["ctx"]["points_total"] == -2


def test_member_sees_only_their_own_file(world, login, plan, clock):
    _closed_meeting(world, plan)
    c = login(world.users["member"])
    r = c.get(reverse("member-detail", kwargs={"pk": world.m_member.pk}))
    assert r.status_code == 200 and 'data-testid="member-panel-orglife-attendance"' in r.content.decode()
    assert r.context["panels"][0]["ctx"]["points_total"] == 2
    assert c.get(reverse("member-detail", kwargs={"pk": world.m_committee.pk})).status_code == 404
    # staff of a sibling branch see neither the member nor the panel
    assert login(world.users["secretary2"], Client()).get(reverse("member-detail", kwargs={"pk": world.m_member.pk})).status_code == 404


def test_venue_and_closing_from_the_pages(world, login, plan, clock):
    m = plan(starts_at=NOW + dt.timedelta(minutes=30))
    c = login(world.users["committee"])
    r = c.post(reverse("orglife-meeting-open", kwargs={"pk": m.pk}))
    assert r.status_code == 302 and r["Location"] == reverse("orglife-venue", kwargs={"pk": m.pk})
    m.refresh_from_db()
    assert m.status == MeetingStatus.OPEN
    assert login(world.users["member"], Client()).get(reverse("orglife-venue", kwargs={"pk": m.pk})).status_code == 403
    assert c.post(reverse("orglife-meeting-close", kwargs={"pk": m.pk})).status_code == 302
    r = c.get(reverse("orglife-meeting-detail", kwargs={"pk": m.pk}))
    assert reverse("minutes-meeting", kwargs={"pk": m.pk}).encode() in r.content  # on to the minutes
    r = c.get(reverse("orglife-venue-live", kwargs={"pk": m.pk}))
    assert b"signin-closed" in r.content and b"<svg" not in r.content


def test_town_meetings_invite_the_town_staff_not_every_member(world, login, plan):
    from dangjian.orglife import selectors

    from .conftest import mtype

    world.m_b2[0].user = world.users["town_admin"]
    world.m_b2[0].save(update_fields=["user"])
    assert [m.name for m in selectors.members_of(world.t1)] == ["西村党员0"]
    assert [m.name for m in selectors.default_invitees(world.t1, mtype("theme_day"))] == ["西村党员0"]
    m = plan(org=world.t1, actor=world.users["town_admin"], host=world.m_b2[0], recorder=world.m_b2[0], invitees=None)
    assert list(m.attendance.values_list("member__name", flat=True)) == ["西村党员0"]


def test_exemption_form_for_a_large_scope_asks_for_the_branch_first(world, login, settings, monkeypatch):
    from dangjian.orglife import views

    monkeypatch.setattr(views, "MAX_MEMBER_CHOICES", 3)
    c = login(world.users["town_admin"])
    r = c.get(reverse("orglife-exemption-add"))
    assert r.status_code == 200 and b'data-testid="pick-org"' in r.content
    r = c.get(reverse("orglife-exemption-add"), {"org": world.b2.pk})
    assert r.status_code == 200 and sorted(m.name for m in r.context["form"].fields["member"].queryset) == ["西村党员0", "西村党员1", "西村党员2"]
    assert c.get(reverse("orglife-exemption-add"), {"org": world.b3.pk}).status_code == 404
