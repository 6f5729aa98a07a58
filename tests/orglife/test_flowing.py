"""Flowing members (流动党员) at the inflow organization (流入地党组织) — 教育管理条例 art. 32: one
home branch, several org lives where the member is; DOMAIN §11 "count flowing members who attended
elsewhere".

* the inflow organization may invite its flowing-in members (``members_of``) but they are not
  required there (``default_invitees``; the full-invitation rule of ``_validate_people``);
* when a home meeting closes, an invited flowing member who did not come but attended a meeting of
  the same type at their inflow organization in the same period of the type's frequency is
  excused (LEAVE, with the reason), without absence points; a later inflow meeting is credited by
  the daily job (idempotent, never on signed minutes)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from dangjian.core.models import AuditEvent
from dangjian.orglife import selectors, services
from dangjian.orglife.models import Attendance, AttendanceStatus, MeetingStatus, PointsEntry
from dangjian.transfers import services as transfers

from .conftest import TZ, mtype, staff

S = AttendanceStatus


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def at(month, day, hour=9):
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def flowing(world, clock):
    """赵党员 (b1) is a flowing member taking part in org life at 南村党支部 (b3, another town)."""
    return transfers.flag_away(actor=world.users["secretary"], member=world.m_member, kind="flowing",
                               since=dt.date(2026, 1, 1), whereabouts="南镇", contact_person="王委员", inflow_org=world.b3)


def hold(world, clock, org, code, start, present=(), invitees=None, close=True):
    """Plan, open and (by default) close a meeting of ``org`` at ``start``; ``present`` sign in."""
    t = mtype(code)
    clock.move_to(start - dt.timedelta(minutes=30))
    home = org == world.b1
    inv = list(selectors.default_invitees(org, t)) if invitees is None else invitees
    m = services.plan_meeting(actor=staff(world, org), org=org, meeting_type=t, title=f"{org.name}{t.name}",
                              starts_at=start, ends_at=start + dt.timedelta(hours=2), place="活动室",
                              host=world.m_secretary if home else world.m_b3[0],
                              recorder=world.m_committee if home else world.m_b3[1], agenda="学习", invitees=inv)
    services.open_signin(actor=staff(world, org), meeting=m)
    clock.move_to(start + dt.timedelta(minutes=5))
    for p in present:
        services.sign_in(actor=None, meeting=m, member=p, method="roll_call")
    if close:
        services.close_meeting(actor=staff(world, org), meeting=m)
    return m


def at_inflow(world, clock, code, start, signed=True):
    return hold(world, clock, world.b3, code, start, present=[world.m_member] if signed else [],
                invitees=list(selectors.default_invitees(world.b3, mtype(code))) + [world.m_member])


def at_home(world, clock, code, start):
    """A home meeting where everyone but 赵党员 and 钱预备 came."""
    return hold(world, clock, world.b1, code, start, present=[world.m_secretary, world.m_committee, world.m_group])


def row(meeting, member):
    return Attendance.objects.get(meeting=meeting, member=member)


def points(meeting, member):
    return PointsEntry.objects.filter(meeting=meeting, member=member).aggregate(t=Sum("delta"))["t"] or 0


# -- who may be invited -----------------------------------------------------------------------------

def test_inflow_org_may_invite_but_does_not_require_flowing_in_members(world, flowing, plan):
    theme = mtype("theme_day")
    assert world.m_member in selectors.members_of(world.b3)
    assert world.m_member not in selectors.default_invitees(world.b3, theme)
    assert world.m_member in selectors.default_invitees(world.b1, theme), "still in the home branch's 应到"
    assert world.m_member not in selectors.members_of(world.t2), "a town's meetings are for its own staff"
    # the full-invitation rule does not require them ...
    m = plan(org=world.b3, host=world.m_b3[0], recorder=world.m_b3[1])
    assert not Attendance.objects.filter(meeting=m, member=world.m_member).exists()
    # ... and they can be ticked
    m2 = plan(org=world.b3, host=world.m_b3[0], recorder=world.m_b3[1],
              invitees=list(selectors.default_invitees(world.b3, theme)) + [world.m_member])
    assert row(m2, world.m_member).status == S.INVITED


def test_without_an_inflow_entry_the_member_cannot_be_invited_there(world, plan, flowing):
    transfers.set_inflow(actor=world.users["secretary"], record=flowing, inflow_org=None)
    assert world.m_member not in selectors.members_of(world.b3)
    with pytest.raises(ValidationError) as e:
        plan(org=world.b3, host=world.m_b3[0], recorder=world.m_b3[1], invitees=list(world.m_b3) + [world.m_member])
    assert [x.code for x in e.value.error_dict["invitees"]] == ["not_in_org"]


def test_closed_entry_ends_the_invitations(world, flowing):
    transfers.close_away(actor=world.users["secretary"], record=flowing, reason="回村")
    assert world.m_member not in selectors.members_of(world.b3)


def test_flowing_member_signs_in_by_qr_like_anyone_invited(world, clock, flowing, login):
    from django.urls import reverse

    from dangjian.orglife import tokens

    t = mtype("theme_day")
    start = at(11, 21)
    clock.move_to(start - dt.timedelta(minutes=30))
    m = services.plan_meeting(actor=world.users["town2_admin"], org=world.b3, meeting_type=t, title="主题党日", starts_at=start,
                              ends_at=start + dt.timedelta(hours=2), place="南村", host=world.m_b3[0], recorder=world.m_b3[1],
                              agenda="", invitees=list(world.m_b3) + [world.m_member])
    services.open_signin(actor=world.users["town2_admin"], meeting=m)
    c = login(world.users["member"])
    url = reverse("orglife-qr-signin", kwargs={"token": tokens.make_token(m)})
    r = c.get(url)
    assert r.status_code == 200 and b"signin-confirm" in r.content
    assert c.post(url, {"c": r.context["c"]}).status_code == 200
    assert row(m, world.m_member).status == S.PRESENT


# -- counting for the home branch ----------------------------------------------------------------------

def test_same_type_same_month_at_inflow_counts_for_home(world, clock, flowing):
    at_inflow(world, clock, "theme_day", at(11, 10))
    home = at_home(world, clock, "theme_day", at(11, 25))
    r = row(home, world.m_member)
    assert r.status == S.LEAVE
    assert r.reason == "在流入地党组织参加组织生活：南村党支部 2026-11-10"
    assert points(home, world.m_member) == 0, "no absence points"
    assert row(home, world.m_probationary).status == S.ABSENT and points(home, world.m_probationary) == -2
    summary = selectors.attendance_summary(home)
    assert (summary["leave"], summary["absent"]) == (1, 1)
    ev = AuditEvent.objects.filter(action="orglife.meeting_close", object_id=str(home.pk)).latest("id")
    assert ev.data["inflow_credited"][0][0] == world.m_member.pk


def test_other_type_does_not_count(world, clock, flowing):
    at_inflow(world, clock, "party_lecture", at(11, 10))
    home = at_home(world, clock, "theme_day", at(11, 25))
    assert row(home, world.m_member).status == S.ABSENT and points(home, world.m_member) == -2


def test_other_month_does_not_count_for_a_monthly_type(world, clock, flowing):
    at_inflow(world, clock, "theme_day", at(10, 28))
    home = at_home(world, clock, "theme_day", at(11, 3))
    assert row(home, world.m_member).status == S.ABSENT


@pytest.mark.parametrize("inflow_day,credited", [((10, 15), True), ((9, 28), False)])
def test_quarterly_type_counts_within_the_quarter(world, clock, flowing, inflow_day, credited):
    at_inflow(world, clock, "party_lecture", at(*inflow_day))
    home = at_home(world, clock, "party_lecture", at(11, 25))
    assert row(home, world.m_member).status == (S.LEAVE if credited else S.ABSENT)


def test_invited_but_absent_at_inflow_does_not_count(world, clock, flowing):
    at_inflow(world, clock, "theme_day", at(11, 10), signed=False)
    home = at_home(world, clock, "theme_day", at(11, 25))
    assert row(home, world.m_member).status == S.ABSENT


def test_flowing_in_member_who_does_not_come_is_not_absent_at_the_inflow_meeting(world, clock, flowing):
    """Invited there, not required: their 应到 is the home branch's."""
    inflow = at_inflow(world, clock, "theme_day", at(11, 10), signed=False)
    r = row(inflow, world.m_member)
    assert r.status == S.EXEMPT and r.reason == "流动党员，组织关系在东村党支部（应到计入原党支部）"
    assert points(inflow, world.m_member) == 0
    summary = selectors.attendance_summary(inflow)
    assert summary["should"] == len(world.m_b3) and summary["exempt"] == 1
    assert row(inflow, world.m_b3[2]).status == S.ABSENT, "the branch's own members are absent as before"


def test_no_inflow_org_stays_absent(world, clock):
    transfers.flag_away(actor=world.users["secretary"], member=world.m_member, kind="flowing", since=dt.date(2026, 1, 1),
                        whereabouts="南镇", contact_person="王委员")
    home = at_home(world, clock, "theme_day", at(11, 25))
    assert row(home, world.m_member).status == S.ABSENT and points(home, world.m_member) == -2


def test_inflow_meeting_itself_is_not_credited_by_itself(world, clock, flowing):
    inflow = at_inflow(world, clock, "theme_day", at(11, 10))
    assert row(inflow, world.m_member).status == S.PRESENT
    later = at_inflow(world, clock, "theme_day", at(11, 24), signed=False)
    assert row(later, world.m_member).status == S.EXEMPT, "only the home branch's meetings are credited"
    assert not row(later, world.m_member).reason.startswith("在流入地")


# -- the daily job: an inflow meeting later in the period ---------------------------------------------

def test_later_inflow_meeting_is_credited_by_the_daily_job_once(world, clock, flowing):
    home = at_home(world, clock, "theme_day", at(11, 5))
    assert row(home, world.m_member).status == S.ABSENT and points(home, world.m_member) == -2
    at_inflow(world, clock, "theme_day", at(11, 18))
    clock.move_to(at(11, 19, 6))
    assert services.credit_inflow_recent() == 1
    r = row(home, world.m_member)
    assert r.status == S.LEAVE and r.reason == "在流入地党组织参加组织生活：南村党支部 2026-11-18"
    assert points(home, world.m_member) == 0
    assert PointsEntry.objects.get(meeting=home, member=world.m_member, rule_id=services.INFLOW_RULE_ID).delta == 2
    assert AuditEvent.objects.filter(action="orglife.inflow_credit", data__member=world.m_member.pk).count() == 1
    # idempotent: the scheduled job again changes nothing
    from dangjian.orglife.tasks import inflow_credit_daily

    inflow_credit_daily.call_local()
    assert services.credit_inflow_recent() == 0
    assert points(home, world.m_member) == 0
    assert AuditEvent.objects.filter(action="orglife.inflow_credit").count() == 1
    assert row(home, world.m_probationary).status == S.ABSENT, "others are untouched"


def test_job_never_changes_signed_minutes(world, clock, flowing):
    home = at_home(world, clock, "theme_day", at(11, 5))
    home.__class__.objects.filter(pk=home.pk).update(status=MeetingStatus.RECORDED)  # minutes signed off
    at_inflow(world, clock, "theme_day", at(11, 18))
    assert services.credit_inflow_recent() == 0
    assert services.credit_inflow_attendance(meeting=home) == 0
    assert row(home, world.m_member).status == S.ABSENT and points(home, world.m_member) == -2


def test_job_looks_back_40_days_only(world, clock, flowing):
    home = at_home(world, clock, "theme_day", at(10, 2))
    at_inflow(world, clock, "theme_day", at(10, 30))
    clock.move_to(at(11, 20))
    assert services.credit_inflow_recent() == 0
    assert row(home, world.m_member).status == S.ABSENT
    # run by hand, the service still applies the rule
    assert services.credit_inflow_attendance(meeting=home) == 1


def test_type_period():
    assert services.type_period(mtype_obj("month"), at(11, 30, 23))[0] == at(11, 1, 0)
    assert services.type_period(mtype_obj("quarter"), at(11, 30))[0:2] == (at(10, 1, 0), dt.datetime(2027, 1, 1, tzinfo=TZ))
    assert services.type_period(mtype_obj("year"), at(2, 1)) == (at(1, 1, 0), dt.datetime(2027, 1, 1, tzinfo=TZ))
    assert services.type_period(mtype_obj("none"), at(12, 31, 23)) == (at(12, 1, 0), dt.datetime(2027, 1, 1, tzinfo=TZ))


def mtype_obj(freq):
    from dangjian.orglife.models import MeetingType

    return MeetingType(frequency=freq)


def test_home_register_entry_shows_the_org_life_at_the_inflow_org(world, clock, flowing, login):
    from django.urls import reverse

    at_inflow(world, clock, "theme_day", at(11, 10))
    r = login(world.users["secretary"]).get(reverse("transfers-away-detail", args=[flowing.pk]))
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="inflow-attendance"' in html
    assert "2026-11-10" in html and world.b3.name in html


def test_the_credit_job_is_scheduled_daily():
    from dangjian.jobs.api import PERIODIC

    assert "orglife.inflow_credit" in PERIODIC


def test_a_first_signature_on_the_minutes_freezes_the_attendance(world, clock, flowing):
    """The first signature freezes 应到/实到 and the absentees into the record (minutes): the
    credit then leaves the row alone; an unsigned draft does not stop it."""
    from django.utils import timezone

    from dangjian.minutes import services as minutes
    from dangjian.minutes.models import MeetingRecord

    signed = at_home(world, clock, "theme_day", at(11, 4))
    draft = at_home(world, clock, "general_meeting", at(11, 5))
    at_inflow(world, clock, "theme_day", at(11, 18))
    at_inflow(world, clock, "general_meeting", at(11, 18, 14))
    for m in (signed, draft):
        minutes.start_record(actor=world.users["secretary"], meeting=m)
    MeetingRecord.objects.filter(meeting=signed).update(host_signed_at=timezone.now())
    assert services.credit_inflow_attendance(meeting=signed) == 0
    assert row(signed, world.m_member).status == S.ABSENT
    assert services.credit_inflow_attendance(meeting=draft) == 1
    assert row(draft, world.m_member).status == S.LEAVE


def test_flowing_in_member_has_no_vote_and_no_required_talk_at_the_inflow_branch(world, clock, flowing):
    """Their vote and their heart-to-heart talks belong to the home branch (教育管理条例 art. 32)."""
    from dangjian.minutes import services as minutes_services
    from dangjian.orglife import talks

    m = at_inflow(world, clock, "general_meeting", at(11, 10))
    voters_here = selectors.own_members_of(world.b3).filter(status="full").count()
    assert minutes_services.vote_defaults(m)["voters_total"] == voters_here
    cov = talks.coverage(world.b3, 2026)
    assert world.m_member.pk not in {x.pk for x in cov.members_without}
    with pytest.raises(ValidationError) as e:
        talks.record_talk(actor=world.users["secretary"], org=world.b3, held_on=dt.date(2026, 11, 1),
                          first=world.m_member, second=world.m_b3[0], subject="流入地谈话")
    assert [x.code for x in e.value.error_dict["second"]] == ["not_in_org"]


def test_flowing_in_members_are_marked_on_the_invitation_list(world, clock, login):
    from django.urls import reverse

    guest = world.m_b2[1]
    transfers.flag_away(actor=world.users["secretary2"], member=guest, kind="flowing", since=dt.date(2026, 1, 1),
                        whereabouts="东村", contact_person="李书记", inflow_org=world.b1)
    r = login(world.users["secretary"]).get(reverse("orglife-meeting-plan"), {"org": world.b1.pk}, HTTP_ACCEPT_LANGUAGE="en")
    labels = [w.data["label"] for w in r.context["form"]["invitees"]]
    assert f"{guest.name} (flowing in)" in labels and world.m_member.name in labels
