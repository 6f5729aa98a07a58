"""Supervision lists (DOMAIN §9.2 Laizhou warnings, §11 member-level): no org life this month,
attendance under the threshold, members absent months in a row, self-lapse review."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.supervision import selectors as S
from tests.supervision.conftest import at, meeting

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)


def test_branches_without_org_life(world):
    meeting(world.g1, "group_meeting", at(2026, 10, 12))  # a group's meeting counts for its branch
    meeting(world.b3, "theme_day", at(2026, 10, 31, 23, 30))
    meeting(world.b2, "theme_day", at(2026, 11, 1, 0, 5))  # November in Beijing time
    meeting(world.b2, "theme_day", at(2026, 10, 5), status="closed")  # minutes not signed off
    assert [o.pk for o in S.branches_without_org_life(world.county, OCT)] == [world.b2.pk]
    assert [o.pk for o in S.branches_without_org_life(world.t2, OCT)] == []
    assert world.b4.pk not in [o.pk for o in S.branches_without_org_life(world.county, OCT)]  # another county's
    assert [o.pk for o in S.branches_without_org_life(world.county2, OCT)] == [world.b4.pk]


def test_low_attendance_uses_the_attendance_summary_formula(world, settings):
    from dangjian.orglife.selectors import attendance_summary

    b3 = world.m_b3
    low = meeting(world.b3, "theme_day", at(2026, 10, 9), attendance={b3[0]: "present", b3[1]: "absent", b3[2]: "leave"})
    ok = meeting(world.b1, "theme_day", at(2026, 10, 9), attendance={
        world.m_secretary: "present", world.m_committee: "late", world.m_member: "present", world.m_probationary: "present"})
    exempt = meeting(world.b2, "theme_day", at(2026, 10, 9), attendance={
        world.m_b2[0]: "present", world.m_b2[1]: "present", world.m_b2[2]: "exempt"})
    got = {m.meeting_id: m for m in S.meeting_rates(world.county, at(2026, 10, 1), at(2026, 11, 1))}
    for m in (low, ok, exempt):
        assert got[m.pk].rate == attendance_summary(m)["rate"]
    assert got[exempt.pk].rate == 100.0  # exempt members are out of the denominator
    assert [m.meeting_id for m in S.low_attendance(world.county, OCT)] == [low.pk]
    assert S.low_attendance(world.county, OCT, threshold=30) == []
    settings.DANGJIAN_ATTENDANCE_THRESHOLD = 30
    assert S.low_attendance(world.county, OCT) == []
    assert S.low_attendance(world.t1, OCT, threshold=100) == []  # b3 is in t2


def _monthly(world, months, status_for):
    for y, mo in months:
        meeting(world.b1, "theme_day", at(y, mo, 10), attendance={
            world.m_member: status_for(y, mo), world.m_secretary: "present"})


def test_classify_and_streak_are_pure():
    assert S.classify(1, 3, 0) == S.ATTENDED
    assert S.classify(0, 1, 2) == S.ABSENT
    assert S.classify(0, 0, 1) == S.EXCUSED
    assert S.classify(0, 0, 0) == S.NONE
    assert S.streak([S.ABSENT, S.ATTENDED, S.ABSENT, S.ABSENT]) == 2
    assert S.streak([S.ABSENT, S.ABSENT, S.NONE]) == 0


def test_member_absent_three_months_in_a_row(world):
    _monthly(world, [(2026, 8), (2026, 9), (2026, 10)], lambda y, m: "absent")
    rows = S.absent_members(world.county, OCT)
    assert [(r.member_id, r.months) for r in rows] == [(world.m_member.pk, 3)]
    assert S.lapse_review_members(world.county, OCT) == []
    assert S.absent_members(world.county, dt.date(2026, 9, 1)) == []  # only 2 months up to September
    assert S.absent_members(world.t2, OCT) == []  # not in that subtree


def test_leave_breaks_the_streak(world):
    _monthly(world, [(2026, 8), (2026, 9), (2026, 10)], lambda y, m: "leave" if m == 9 else "absent")
    assert S.absent_members(world.county, OCT) == []


def test_attending_elsewhere_counts(world):
    """A flowing member who attended another branch's meeting had org life that month (DOMAIN §11)."""
    _monthly(world, [(2026, 8), (2026, 9), (2026, 10)], lambda y, m: "absent")
    meeting(world.b2, "theme_day", at(2026, 9, 20), attendance={world.m_member: "present"})
    assert S.absent_members(world.county, OCT) == []


def test_six_months_raise_a_review_warning_only(world):
    _monthly(world, [(2026, m) for m in range(5, 11)], lambda y, m: "invited")
    lapse = S.lapse_review_members(world.county, OCT)
    assert [(r.member_id, r.months) for r in lapse] == [(world.m_member.pk, 6)]
    assert S.absent_members(world.county, OCT) == []  # listed once, on the stronger list
    world.m_member.refresh_from_db()
    assert world.m_member.state == "active"  # nobody is removed by the system


def test_months_without_any_meeting_break_the_streak(world):
    _monthly(world, [(2026, 5), (2026, 6), (2026, 7), (2026, 9), (2026, 10)], lambda y, m: "absent")
    assert [r.months for r in S.absence_streaks(world.county, OCT)] == [2]


def test_secretaries_without_a_lecture_this_year(world, login):
    """DOMAIN §1.1: a secretary gives ≥1 党课 a year. Counted: a signed-off 党课 with the
    secretary as lecturer (in any organization); not a draft, not another year, not someone else."""
    from django.urls import reverse

    from dangjian.members import services as ms

    sec2 = world.m_b2[0]
    ms.update_member(actor=None, member=sec2, data={"position": "secretary"})
    lecture = meeting(world.b1, "party_lecture", at(2026, 5, 20))
    lecture.lecturer = world.m_secretary
    lecture.save()
    other = meeting(world.b2, "party_lecture", at(2025, 12, 20))  # last year
    other.lecturer = sec2
    other.save()
    draft = meeting(world.b2, "party_lecture", at(2026, 6, 20), status="closed")  # minutes not signed
    draft.lecturer = sec2
    draft.save()
    rows = S.secretaries_without_lecture(world.t1, 2026)
    assert [(r.org_id, r.secretary_id) for r in rows] == [(world.b2.pk, sec2.pk)]
    rows = S.secretaries_without_lecture(world.county, 2026)
    assert (world.b3.pk, None) in [(r.org_id, r.secretary_id) for r in rows]  # no secretary recorded
    assert world.b1.pk not in [r.org_id for r in rows]
    page = login(world.users["town_admin"]).get(reverse("supervision-lists", args=[world.t1.pk]), {"list": "lecture", "month": "2026-11"})
    assert page.status_code == 200 and sec2.name in page.content.decode() and page.content.decode().count('data-testid="list-row"') == 1


def test_members_below_the_yearly_study_hours(world, login):
    """教育管理条例 art. 20: ≥32 study hours a year. 党课 and 主题党日 with signed-off minutes count
    by their length (at most 8 h each) when attended or made up; other types, drafts and other
    years do not; exempt members are left out."""
    import datetime as dt

    from django.urls import reverse

    from dangjian.orglife.models import Attendance, Exemption
    from dangjian.orglife.selectors import members_below_study_hours, study_hours

    for month in range(1, 9):  # 8 × 4 h 党课 attended by the secretary → 32 h
        m = meeting(world.b1, "party_lecture", at(2026, month, 10, 9), attendance={world.m_secretary: "present",
                                                                                  world.m_member: "absent"})
        m.ends_at = m.starts_at + dt.timedelta(hours=4)
        m.save()
    Attendance.objects.filter(member=world.m_member, meeting__starts_at__month=1).update(makeup_on=dt.date(2026, 1, 20))
    long = meeting(world.b1, "theme_day", at(2026, 9, 1, 8), attendance={world.m_committee: "late"})
    long.ends_at = long.starts_at + dt.timedelta(hours=30)  # capped at 8 h
    long.save()
    meeting(world.b1, "committee_meeting", at(2026, 9, 2, 8), attendance={world.m_committee: "present"})  # not study
    meeting(world.b1, "party_lecture", at(2026, 9, 3, 8), status="closed", attendance={world.m_committee: "present"})  # draft
    meeting(world.b1, "party_lecture", at(2025, 9, 3, 8), attendance={world.m_committee: "present"})  # last year
    hours = study_hours([world.m_secretary.pk, world.m_member.pk, world.m_committee.pk], 2026)
    assert hours == {world.m_secretary.pk: 32.0, world.m_member.pk: 4.0, world.m_committee.pk: 8.0}
    Exemption.objects.create(member=world.m_probationary, org_path=world.b1.path, basis="old", starts_on=dt.date(2026, 1, 1))
    below = members_below_study_hours(world.b1, 2026)
    names = [m.name for m in below]
    assert world.m_secretary.name not in names and world.m_probationary.name not in names
    assert names.index(world.m_member.name) < names.index(world.m_committee.name)  # fewest first
    page = login(world.users["town_admin"]).get(reverse("supervision-lists", args=[world.t1.pk]), {"list": "study", "month": "2026-11"})
    text = page.content.decode()
    assert page.status_code == 200 and "4 / 32" in text and "8 / 32" in text and world.m_secretary.name not in text
