"""Sign-in: rotating QR tokens and every refusal, idempotent replays, late threshold, roll call,
closing (absents + points)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.models import AuditEvent
from dangjian.orglife import services, tokens
from dangjian.orglife.models import Attendance, AttendanceStatus, MeetingStatus, PointsEntry

from .conftest import NOW

S = AttendanceStatus


def qr_url(meeting, ts=None):
    return reverse("orglife-qr-signin", kwargs={"token": tokens.make_token(meeting, ts)})


def row(meeting, member):
    return Attendance.objects.get(meeting=meeting, member=member)


def test_venue_shows_a_rotating_signed_qr_code(world, login, open_meeting, clock):
    c = login(world.users["secretary"])
    r = c.get(reverse("orglife-venue", kwargs={"pk": open_meeting.pk}))
    assert r.status_code == 200 and b"<svg" in r.content and b"orglife/orglife.js" in r.content
    link = r.context["link"]
    assert link.endswith(qr_url(open_meeting))
    clock.move_to(NOW + dt.timedelta(seconds=31))
    r2 = c.get(reverse("orglife-venue-live", kwargs={"pk": open_meeting.pk}))
    assert r2.status_code == 200 and r2.context["link"] != link  # a new code every 30 s


def test_member_signs_in_by_qr_and_replays_are_idempotent(world, login, open_meeting, clock):
    c = login(world.users["member"])
    url = qr_url(open_meeting)
    r = c.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and b"signin-confirm" in r.content
    assert row(open_meeting, world.m_member).status == S.INVITED  # a GET writes nothing
    r = c.post(url, {"c": r.context["c"]}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and b"Signed in at 09:00" in r.content
    a = row(open_meeting, world.m_member)
    assert (a.status, a.method) == (S.PRESENT, "qr") and a.signed_at == NOW
    clock.move_to(NOW + dt.timedelta(seconds=20))
    r = c.post(url, HTTP_ACCEPT_LANGUAGE="en")  # the same link again (a double tap)
    assert r.status_code == 200 and b"Already signed in at 09:00" in r.content
    assert Attendance.objects.filter(meeting=open_meeting, member=world.m_member).count() == 1
    assert AuditEvent.objects.filter(action="orglife.sign_in").count() == 1
    _a, created = services.sign_in(actor=None, meeting=open_meeting, member=world.m_member, method="device")
    assert created is False and row(open_meeting, world.m_member).method == "qr"


def test_previous_window_is_accepted_older_is_expired(world, login, open_meeting, clock):
    c = login(world.users["member"])
    url = qr_url(open_meeting)
    clock.move_to(NOW + dt.timedelta(seconds=45))  # the next window: still accepted (grace)
    assert c.get(url).status_code == 200
    clock.move_to(NOW + dt.timedelta(seconds=65))  # two windows later: a screenshot stops working
    r = c.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 410 and r.context["code"] == "expired"
    assert row(open_meeting, world.m_member).status == S.INVITED


def test_confirm_form_survives_a_slow_tap_but_only_for_its_user(world, login, open_meeting, clock):
    c = login(world.users["member"])
    url = qr_url(open_meeting)
    confirm = c.get(url).context["c"]
    clock.move_to(NOW + dt.timedelta(seconds=70))  # the code on screen has changed twice
    other = login(world.users["committee"], c.__class__())
    assert other.post(url, {"c": confirm}).status_code == 410  # someone else's confirmation is no help
    assert c.post(url, {"c": confirm}).status_code == 200
    assert row(open_meeting, world.m_member).status == S.PRESENT  # 70 s after the start: within the 15 min


@pytest.mark.parametrize("mangle,status,code", [
    (lambda t, m: t[:-1] + ("0" if t[-1] != "0" else "1"), 400, "forged"),          # forged signature
    (lambda t, m: f"{m.pk + 1000}-{t.split('-', 1)[1]}", 400, "forged"),             # no such meeting
    (lambda t, m: "not-a-token", 400, "malformed"),
    (lambda t, m: t.split("-")[0] + "-99999999999-" + t.split("-")[2], 400, "forged"),  # window from the future
])
def test_bad_tokens_are_refused(world, login, open_meeting, mangle, status, code):
    c = login(world.users["member"])
    token = mangle(tokens.make_token(open_meeting), open_meeting)
    r = c.post(reverse("orglife-qr-signin", kwargs={"token": token}))
    assert r.status_code == status and r.context["code"] == code
    assert row(open_meeting, world.m_member).status == S.INVITED


def test_token_of_another_meeting_is_refused(world, login, plan, open_meeting):
    other = services.open_signin(actor=world.users["secretary"], meeting=plan(starts_at=NOW + dt.timedelta(minutes=40), title="另一个会"))
    good = tokens.make_token(other)
    swapped = f"{open_meeting.pk}-{good.split('-', 1)[1]}"  # other meeting's signature, this meeting's id
    r = login(world.users["member"]).post(reverse("orglife-qr-signin", kwargs={"token": swapped}))
    assert r.status_code == 400
    assert not Attendance.objects.filter(status__in=[S.PRESENT, S.LATE]).exists()


def test_not_invited_and_other_branch_are_refused(world, login, plan, clock):
    from django.contrib.auth import get_user_model

    from dangjian.core import services as org_services

    m = services.open_signin(actor=world.users["secretary"], meeting=plan(  # a 支委会: the committee only
        code="committee_meeting", starts_at=NOW + dt.timedelta(minutes=30), invitees=[world.m_secretary, world.m_committee]))
    r = login(world.users["member"]).post(qr_url(m), HTTP_ACCEPT_LANGUAGE="en")  # same branch, not invited
    assert r.status_code == 403 and r.context["code"] == "not_invited"
    u = get_user_model().objects.create_user("xicun", password="x" * 16)
    org_services.grant_role(actor=None, user=u, org=world.b2, role="member")
    world.m_b2[0].user = u
    world.m_b2[0].save(update_fields=["user"])
    r = login(u).post(qr_url(m))  # a member of another branch
    assert r.status_code == 403
    r = login(world.users["outsider"]).post(qr_url(m))  # no member record at all
    assert r.status_code == 403 and r.context["code"] == "not_member"
    assert not Attendance.objects.filter(meeting=m, status__in=[S.PRESENT, S.LATE]).exists()


def test_anonymous_is_sent_to_login_and_back_with_time_to_log_in(world, client, login, open_meeting, clock):
    from urllib.parse import parse_qs, urlparse

    clock.move_to(NOW + dt.timedelta(seconds=25))  # scanned late in the code's 30-second window
    url = qr_url(open_meeting)
    r = client.get(url)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    nxt = parse_qs(urlparse(r["Location"]).query)["next"][0]
    assert nxt.startswith(url + "?g=")
    clock.move_to(NOW + dt.timedelta(seconds=80))  # typing the password took 55 s: the code changed twice
    c = login(world.users["member"])  # the same browser that scanned
    assert c.get(url).status_code == 410  # the bare link has expired ...
    r = c.get(nxt)  # ... the way back from the login page has not
    assert r.status_code == 200 and b"signin-confirm" in r.content
    assert c.post(nxt, {"c": r.context["c"]}).status_code == 200
    assert row(open_meeting, world.m_member).status == S.PRESENT
    # the grace belongs to that code and meeting only, and lasts 1 minute
    other = qr_url(open_meeting, ts=NOW.timestamp() - 30)  # another, expired code of the meeting
    assert c.get(other + "?g=" + nxt.split("?g=")[1]).status_code == 410
    clock.move_to(NOW + dt.timedelta(seconds=25 + 61))
    assert c.get(nxt).context["code"] == "expired"
    # an expired code is not given a grace: the login leads back to the refusal
    r = client.__class__().get(url)
    assert "g%3D" not in r["Location"] and "?g=" not in r["Location"]


def test_login_grace_is_bound_to_the_browser_that_scanned(world, client, login, open_meeting, clock):
    from urllib.parse import parse_qs, urlparse

    r = client.get(qr_url(open_meeting))
    nxt = parse_qs(urlparse(r["Location"]).query)["next"][0]
    clock.move_to(NOW + dt.timedelta(seconds=40))
    relayed = login(world.users["committee"], client.__class__())  # the link sent to someone else's phone
    r = relayed.get(nxt)
    assert r.status_code == 403 and r.context["code"] == "other_session"
    assert relayed.post(nxt).status_code == 403
    assert not Attendance.objects.filter(meeting=open_meeting, status__in=[S.PRESENT, S.LATE]).exists()


def test_signin_refused_unless_open(world, login, plan, clock):
    c = login(world.users["member"])
    m = plan(starts_at=NOW + dt.timedelta(minutes=30))
    r = c.post(qr_url(m), HTTP_ACCEPT_LANGUAGE="en")  # planned: not open yet
    assert r.status_code == 409 and r.context["code"] == "planned"
    services.open_signin(actor=world.users["secretary"], meeting=m)
    services.close_meeting(actor=world.users["secretary"], meeting=m)
    r = c.post(qr_url(m))  # after close
    assert r.status_code == 409 and r.context["code"] == "closed"
    assert row(m, world.m_member).status == S.ABSENT
    m.status = MeetingStatus.RECORDED
    m.save()
    assert c.post(qr_url(m)).status_code == 409
    m2 = plan(starts_at=NOW + dt.timedelta(hours=3))
    services.cancel_meeting(actor=world.users["secretary"], meeting=m2, reason="改期")
    r = c.post(qr_url(m2))
    assert r.status_code == 409 and r.context["code"] == "cancelled"


def test_late_after_threshold(world, open_meeting, clock, settings):
    settings.DANGJIAN_ORGLIFE_LATE_MINUTES = 15
    start = open_meeting.starts_at
    clock.move_to(start + dt.timedelta(minutes=15))
    a, _ = services.sign_in(actor=None, meeting=open_meeting, member=world.m_member, method="qr")
    assert a.status == S.PRESENT  # exactly at the threshold: on time
    clock.move_to(start + dt.timedelta(minutes=15, seconds=1))
    a, _ = services.sign_in(actor=None, meeting=open_meeting, member=world.m_committee, method="qr")
    assert a.status == S.LATE


def test_open_signin_not_too_early(world, plan, clock):
    m = plan(starts_at=NOW + dt.timedelta(hours=3))
    with pytest.raises(ValidationError) as e:
        services.open_signin(actor=world.users["secretary"], meeting=m)
    assert e.value.code == "too_early"
    clock.move_to(m.starts_at - dt.timedelta(minutes=59))
    assert services.open_signin(actor=world.users["secretary"], meeting=m).status == MeetingStatus.OPEN


def test_roll_call(world, login, open_meeting):
    c = login(world.users["secretary"])
    url = reverse("orglife-roll-call", kwargs={"pk": open_meeting.pk})
    assert c.get(url).status_code == 200
    a = row(open_meeting, world.m_probationary)
    r = c.post(url, {"attendance": a.pk, "status": "present"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b'data-status="present"' in r.content
    a.refresh_from_db()
    assert (a.status, a.method) == (S.PRESENT, "roll_call") and a.recorded_by == world.users["secretary"]
    r = c.post(url, {"attendance": a.pk, "status": "absent"}, HTTP_HX_REQUEST="true")
    a.refresh_from_db()
    assert a.status == S.ABSENT and a.signed_at is None
    r = c.post(url, {"attendance": a.pk, "status": "exempt"}, HTTP_HX_REQUEST="true")
    assert b"text-danger" in r.content and row(open_meeting, world.m_probationary).status == S.ABSENT
    assert c.post(url, {"attendance": 999999, "status": "present"}).status_code == 302
    # a committee member may take it; a plain member may not
    assert login(world.users["member"], c.__class__()).post(url, {"attendance": a.pk, "status": "present"}).status_code == 403


def test_close_marks_absent_and_awards_points_once(world, login, open_meeting, clock):
    services.sign_in(actor=None, meeting=open_meeting, member=world.m_member, method="qr")
    clock.move_to(open_meeting.starts_at + dt.timedelta(minutes=20))
    services.sign_in(actor=None, meeting=open_meeting, member=world.m_committee, method="qr")
    c = login(world.users["secretary"])
    r = c.post(reverse("orglife-meeting-close", kwargs={"pk": open_meeting.pk}))
    assert r.status_code == 302
    open_meeting.refresh_from_db()
    assert open_meeting.status == MeetingStatus.CLOSED and open_meeting.closed_at is not None
    statuses = dict(Attendance.objects.filter(meeting=open_meeting).values_list("member__name", "status"))
    assert statuses == {"赵党员": "present", "王委员": "late", "李书记": "absent", "钱预备": "absent", "孙组员": "absent"}
    pts = dict(PointsEntry.objects.filter(meeting=open_meeting).values_list("member__name", "delta"))
    assert pts == {"赵党员": 2, "王委员": 1, "李书记": -2, "钱预备": -2, "孙组员": -2}
    assert PointsEntry.objects.filter(rule_id="orglife.attendance.absent").first().rule_version == "orglife-points-2026.11"
    assert services.award_points(meeting=open_meeting) == 0  # idempotent
    r = c.post(reverse("orglife-meeting-close", kwargs={"pk": open_meeting.pk}))  # twice: refused, nothing more
    assert PointsEntry.objects.filter(meeting=open_meeting).count() == 5


def test_points_rule_table_is_configurable(world, open_meeting, settings):
    settings.DANGJIAN_ORGLIFE_POINTS = {"version": "county-2027", "rules": {"present": 5, "absent": -1}}
    services.sign_in(actor=None, meeting=open_meeting, member=world.m_member, method="qr")
    services.close_meeting(actor=world.users["secretary"], meeting=open_meeting)
    assert set(PointsEntry.objects.values_list("delta", "rule_version")) == {(5, "county-2027"), (-1, "county-2027")}


def test_sign_in_names_why_the_meeting_is_not_open(world, plan, clock):
    """``services.sign_in`` refuses with one code per reason; the device API keeps answering ``not_open``."""
    m = plan(starts_at=NOW + dt.timedelta(minutes=30))
    with pytest.raises(ValidationError) as e:
        services.sign_in(actor=None, meeting=m, member=world.m_member, method="qr")
    assert e.value.code == "not_yet_open"
    stale = services.open_signin(actor=world.users["secretary"], meeting=m)
    services.close_meeting(actor=world.users["secretary"], meeting=plan_copy(m))
    m.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        services.sign_in(actor=None, meeting=m, member=world.m_member, method="qr")
    assert e.value.code == "ended"
    stale.status = MeetingStatus.OPEN  # read before the close: the conditional update refuses, the status says why
    with pytest.raises(ValidationError) as e:
        services.sign_in(actor=None, meeting=stale, member=world.m_committee, method="qr")
    assert e.value.code == "ended" and row(m, world.m_committee).status == S.ABSENT
    m2 = plan(starts_at=NOW + dt.timedelta(hours=3))
    services.cancel_meeting(actor=world.users["secretary"], meeting=m2, reason="改期")
    with pytest.raises(ValidationError) as e:
        services.sign_in(actor=None, meeting=m2, member=world.m_member, method="qr")
    assert e.value.code == "cancelled"
    open_m = services.open_signin(actor=world.users["secretary"], meeting=plan(  # a 支委会: the committee only
        code="committee_meeting", starts_at=NOW + dt.timedelta(minutes=30), invitees=[world.m_secretary, world.m_committee]))
    with pytest.raises(ValidationError) as e:
        services.sign_in(actor=None, meeting=open_m, member=world.m_member, method="qr")
    assert e.value.code == "not_invited"


def plan_copy(meeting):
    from dangjian.orglife.models import Meeting

    return Meeting.objects.get(pk=meeting.pk)


@pytest.mark.parametrize(("code", "page", "status"), [
    ("not_invited", "not_invited", 403), ("not_yet_open", "planned", 409), ("cancelled", "cancelled", 409),
    ("ended", "closed", 409)])
def test_qr_page_answers_the_services_code(world, login, open_meeting, monkeypatch, code, page, status):
    """The phone's page after ``services.sign_in`` refuses comes from the service's code alone."""
    c = login(world.users["member"])
    confirm = c.get(qr_url(open_meeting)).context["c"]

    def refuse(**kw):
        raise ValidationError("x", code=code)

    monkeypatch.setattr(services, "sign_in_confirmed", lambda **kw: None)  # the one-statement path declines
    monkeypatch.setattr(services, "sign_in", refuse)
    r = c.post(qr_url(open_meeting), {"c": confirm})
    assert r.status_code == status and r.context["code"] == page


def test_qr_signin_closed_meanwhile_is_refused_with_the_reason(world, login, open_meeting, monkeypatch, django_assert_num_queries):
    """The meeting is ended between the confirm page and the tap: the one-statement sign-in
    changes nothing (its UPDATE checks the meeting is open) and declines; the full path reads the
    invitation once more and names the reason — 409 "closed", nothing written."""
    from django.db import connection

    from dangjian.orglife.models import Meeting

    c = login(world.users["member"])
    confirm = c.get(qr_url(open_meeting)).context["c"]
    real = services.sign_in_confirmed

    def ended_meanwhile(**kw):
        Meeting.objects.filter(pk=kw["meeting_id"]).update(status=MeetingStatus.CLOSED)
        return real(**kw)

    monkeypatch.setattr(services, "sign_in_confirmed", ended_meanwhile)
    audit_rows = AuditEvent.objects.count()
    with django_assert_num_queries(QUERIES_CLOSED_MEANWHILE[connection.vendor]):
        r = c.post(qr_url(open_meeting), {"c": confirm})
    assert r.status_code == 409 and r.context["code"] == "closed"
    assert row(open_meeting, world.m_member).status == S.INVITED
    assert AuditEvent.objects.count() == audit_rows


# session, user, the test's meeting update, then PostgreSQL: the one statement (declined) and the
# full path's lookup; SQLite: the one-statement path's lookup (the meeting is not open: declined)
# and the full path's
QUERIES_CLOSED_MEANWHILE = {"postgresql": 5, "sqlite": 5}
