"""Elections and terms (DOMAIN §1.2, §2 "Terms", §11): every rule at its edge."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.dates import same_day_months_later
from dangjian.core.errors import REFUSAL_HEADER, codes
from dangjian.core.models import Organization
from dangjian.elections import services as s
from dangjian.elections.models import CommitteeMember, Election, Term, TermAdjustment
from dangjian.members import services as member_services
from dangjian.members.models import Member
from dangjian.members.services import create_member
from dangjian.notify.models import InboxMessage
from tests.factories import member_data

TODAY = dt.date.today()
HELD = TODAY - dt.timedelta(days=1)


@contextmanager
def at(day: dt.date):
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def ten(world):
    """b1 with 10 full members entitled to vote (4 of the world + 6)."""
    extra = [create_member(actor=None, org=world.b1, data=member_data(name=f"东村党员{i}")) for i in range(6)]
    world.voters = [world.m_secretary, world.m_committee, world.m_member, world.m_group] + extra
    return world


def election(w, seats=3, present=9, cands=None, **kw):
    return s.create_election(actor=w.users["secretary"], org=w.b1, held_on=HELD, seats=seats, present=present,
                             candidates=cands if cands is not None else w.voters[:4], **kw)


def test_entitled_voters_are_full_members_without_restriction(ten):
    assert s.entitled_voters(ten.b1, TODAY).count() == 10
    member_services.add_restriction(actor=None, member=ten.m_member, kind="probation", starts_on=TODAY - dt.timedelta(days=30))
    assert s.entitled_voters(ten.b1, TODAY).count() == 9
    member_services.add_restriction(actor=None, member=ten.m_committee, kind="detained", starts_on=TODAY - dt.timedelta(days=30),
                      ends_on=TODAY - dt.timedelta(days=1))
    assert s.entitled_voters(ten.b1, TODAY).count() == 9, "an ended restriction restores the right"


def test_probationary_or_restricted_candidate_blocked(ten):
    with pytest.raises(ValidationError) as err:
        election(ten, cands=ten.voters[:3] + [ten.m_probationary])
    assert [e.code for e in err.value.error_dict["candidates"]] == ["probationary"]
    member_services.add_restriction(actor=None, member=ten.m_member, kind="probation", starts_on=HELD)
    with pytest.raises(ValidationError) as err:
        election(ten, present=8)
    assert [e.code for e in err.value.error_dict["candidates"]] == ["restricted"]
    assert not Election.objects.exists()


@pytest.mark.parametrize("n,warned", [(3, True), (4, False)])
def test_competitive_slate_seats_times_1_2_rounded_up(ten, n, warned):
    e = election(ten, seats=3, cands=ten.voters[:n])
    assert any("1.2" in w for w in e.warnings) is warned


def test_fewer_candidates_than_seats_blocked(ten):
    with pytest.raises(ValidationError) as err:
        election(ten, seats=3, cands=ten.voters[:2])
    assert [e.code for e in err.value.error_dict["candidates"]] == ["too_few_candidates"]


def test_present_cannot_exceed_entitled(ten):
    with pytest.raises(ValidationError) as err:
        election(ten, present=11)
    assert [e.code for e in err.value.error_dict["present"]] == ["too_many_present"]


@pytest.mark.parametrize("present,valid", [(8, False), (9, True)])
def test_four_fifths_quorum_edge(ten, present, valid):
    e = election(ten, present=present)
    votes = {c.pk: 9 - i for i, c in enumerate(e.candidates.all())}
    if valid:
        s.record_result(actor=None, election=e, votes=votes, positions={})
        e.refresh_from_db()
        assert e.status == "recorded"
    else:
        with pytest.raises(ValidationError) as err:
            s.record_result(actor=None, election=e, votes=votes, positions={})
        assert err.value.code == "quorum_not_met"
        e.refresh_from_db()
        assert e.status == "draft" and not Term.objects.exists()
        assert Organization.objects.get(pk=ten.b1.pk).term_started_on == dt.date(2021, 3, 1)


@pytest.mark.parametrize("base,votes,elected", [("entitled", 5, False), ("entitled", 6, True),
                                                 ("present", 4, False), ("present", 5, True)])
def test_elected_needs_more_than_half_of_the_base(ten, base, votes, elected):
    e = election(ten, seats=3, present=9, cands=ten.voters[:4], base=base)
    c1, *others = e.candidates.all()
    s.record_result(actor=None, election=e, votes={c1.pk: votes} | {c.pk: 0 for c in others}, positions={})
    c1.refresh_from_db()
    assert c1.elected is elected


def test_result_sets_committee_term_and_positions(ten):
    old_term_start = Organization.objects.get(pk=ten.b1.pk).term_started_on
    e = election(ten, seats=3, present=10, cands=ten.voters[:4])
    cs = list(e.candidates.select_related("member"))
    sec, org_m, other, loser = cs
    s.record_result(actor=ten.users["secretary"], election=e, votes={sec.pk: 10, org_m.pk: 9, other.pk: 8, loser.pk: 2},
                    positions={sec.pk: "secretary", org_m.pk: "organization", loser.pk: "secretary"})
    org = Organization.objects.get(pk=ten.b1.pk)
    assert org.term_started_on == HELD != old_term_start
    assert org.term_ends_on == HELD.replace(year=HELD.year + 5), "village branch: 5 years"
    term = Term.objects.get(org=org)
    assert term.number == 1 and term.ends_on == org.term_ends_on
    seats = {c.member_id: c for c in CommitteeMember.objects.filter(term=term)}
    assert set(seats) == {sec.member_id, org_m.member_id, other.member_id}
    assert Member.objects.get(pk=org_m.member_id).position == "organization"
    assert Member.objects.get(pk=other.member_id).position == "committee"
    secretary_seat = seats[sec.member_id]
    assert not secretary_seat.in_office and Member.objects.get(pk=sec.member_id).position == "committee"
    assert any(f[0] == "E1" for f in s.committee_findings(org)), "no secretary in office before approval"
    s.approve_officer(actor=ten.users["town_admin"], seat=secretary_seat)
    secretary_seat.refresh_from_db()
    assert secretary_seat.in_office and Member.objects.get(pk=sec.member_id).position == "secretary"
    assert not any(f[0] == "E1" for f in s.committee_findings(org))


def test_second_election_closes_previous_term_and_clears_old_positions(ten):
    e = election(ten, seats=3, present=10, cands=ten.voters[:4])
    cs = list(e.candidates.all())
    s.record_result(actor=None, election=e, votes={c.pk: 9 for c in cs[:3]} | {cs[3].pk: 1}, positions={})
    e2 = s.create_election(actor=None, org=ten.b1, held_on=TODAY, seats=3, present=10, candidates=ten.voters[3:7])
    cs2 = list(e2.candidates.all())
    s.record_result(actor=None, election=e2, votes={c.pk: 9 for c in cs2[:3]} | {cs2[3].pk: 1}, positions={})
    first, second = Term.objects.filter(org=ten.b1).order_by("number")
    assert first.closed_on == TODAY and second.number == 2
    assert Member.objects.get(pk=cs[0].member_id).position == ""


def test_tie_for_last_seat_blocks(ten):
    e = election(ten, seats=3, present=10, cands=ten.voters[:4])
    a, b, c, d = e.candidates.all()
    with pytest.raises(ValidationError) as err:
        s.record_result(actor=None, election=e, votes={a.pk: 9, b.pk: 8, c.pk: 7, d.pk: 7}, positions={})
    assert err.value.code == "tie"
    e.refresh_from_db()
    assert e.status == "draft"


def test_missing_secretary_and_vacancy_warned(ten):
    e = election(ten, seats=3, present=10, cands=ten.voters[:4])
    cs = list(e.candidates.all())
    s.record_result(actor=None, election=e, votes={cs[0].pk: 9, cs[1].pk: 8, cs[2].pk: 1, cs[3].pk: 1}, positions={})
    e.refresh_from_db()
    assert any("No secretary" in w for w in e.warnings) and any("vacant" in w for w in e.warnings)


def test_votes_must_be_within_present(ten):
    e = election(ten, seats=3, present=9, cands=ten.voters[:3])
    a, b, c = e.candidates.all()
    with pytest.raises(ValidationError) as err:
        s.record_result(actor=None, election=e, votes={a.pk: 10, b.pk: 9, c.pk: 9}, positions={})
    assert codes(err.value) == ["votes_out_of_range"]
    e.refresh_from_db()
    assert e.status == "draft" and not Term.objects.exists()


# -- terms -------------------------------------------------------------------------------------

def _term(world, start):
    from dangjian.core.services import update_organization

    return update_organization(actor=None, org=world.b2, term_started_on=start)


def test_term_lengths_by_kind(world):
    assert s.term_length(world.b1) == 5  # village branch
    from dangjian.core.services import create_organization

    unit = create_organization(actor=None, parent=world.t1, name="机关支部", kind="branch", area_type="other")
    gb = create_organization(actor=None, parent=world.t1, name="企业总支", kind="general_branch", area_type="other")
    pc = create_organization(actor=None, parent=world.t1, name="园区党委", kind="primary_committee", area_type="other")
    assert (s.term_length(unit), s.term_length(gb), s.term_length(pc)) == (3, 3, 5)


@pytest.mark.parametrize("delta_days,months_extra,ok", [(0, 12, True), (1, 12, False)])
def test_postponement_at_most_one_year(world, delta_days, months_extra, ok):
    org = _term(world, dt.date(2022, 1, 10))
    assert org.term_ends_on == dt.date(2027, 1, 10)
    new_end = same_day_months_later(dt.date(2027, 1, 10), months_extra) + dt.timedelta(days=delta_days)
    if ok:
        a = s.request_adjustment(actor=world.users["secretary2"], org=org, kind="postpone", new_ends_on=new_end, reason="村两委换届统一安排")
        s.decide_adjustment(actor=world.users["town_admin"], adjustment=a, approve=True)
        assert Organization.objects.get(pk=org.pk).term_ends_on == new_end
        a.refresh_from_db()
        assert a.status == "approved" and a.decided_by == world.users["town_admin"]
    else:
        with pytest.raises(ValidationError) as err:
            s.request_adjustment(actor=None, org=org, kind="postpone", new_ends_on=new_end, reason="x")
        assert [e.code for e in err.value.error_dict["new_ends_on"]] == ["beyond_one_year"]
        assert not TermAdjustment.objects.exists()


def test_postponements_cannot_add_up_beyond_one_year(world):
    org = _term(world, dt.date(2022, 1, 10))
    a = s.request_adjustment(actor=None, org=org, kind="postpone", new_ends_on=dt.date(2027, 7, 10), reason="第一次")
    s.decide_adjustment(actor=None, adjustment=a, approve=True)
    org.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        s.request_adjustment(actor=None, org=org, kind="postpone", new_ends_on=dt.date(2028, 1, 11), reason="第二次")
    assert codes(err.value) == ["beyond_one_year"]
    s.request_adjustment(actor=None, org=org, kind="postpone", new_ends_on=dt.date(2028, 1, 10), reason="第二次")


@pytest.mark.parametrize("new_end,ok", [(dt.date(2026, 1, 10), True), (dt.date(2026, 1, 9), False)])
def test_advance_at_most_one_year(world, new_end, ok):
    org = _term(world, dt.date(2022, 1, 10))
    if ok:
        assert s.request_adjustment(actor=None, org=org, kind="advance", new_ends_on=new_end, reason="提前").status == "pending"
    else:
        with pytest.raises(ValidationError) as err:
            s.request_adjustment(actor=None, org=org, kind="advance", new_ends_on=new_end, reason="提前")
        assert codes(err.value) == ["beyond_one_year"]


def test_refusal_needs_a_reason_and_keeps_the_term(world):
    org = _term(world, dt.date(2022, 1, 10))
    a = s.request_adjustment(actor=None, org=org, kind="postpone", new_ends_on=dt.date(2027, 6, 1), reason="x")
    with pytest.raises(ValidationError) as err:
        s.decide_adjustment(actor=None, adjustment=a, approve=False)
    assert [e.code for e in err.value.error_dict["note"]] == ["no_reason"]
    s.decide_adjustment(actor=None, adjustment=a, approve=False, note="无正当理由")
    assert Organization.objects.get(pk=org.pk).term_ends_on == dt.date(2027, 1, 10)


def test_term_state_colours_come_with_text(world):
    org = _term(world, dt.date(2022, 1, 10))  # ends 2027-01-10
    assert s.term_state(org, dt.date(2027, 1, 11))[0] == "expired"
    assert s.term_state(org, dt.date(2027, 1, 10))[0] == "soon"
    assert s.term_state(org, dt.date(2026, 7, 10))[0] == "soon"
    assert s.term_state(org, dt.date(2026, 7, 9))[0] == "ok"
    assert "expired" in s.term_state(org, dt.date(2027, 2, 1))[1]


def test_reminder_six_months_before_end_once(world):
    _term(world, dt.date(2022, 1, 10))  # b2 ends 2027-01-10
    with at(dt.date(2026, 7, 9)):
        assert not Organization.objects.filter(pk=world.b2.pk, term_ends_on__lte=same_day_months_later(dt.date(2026, 7, 9), 6)).exists()
        s.run_daily()
        assert not InboxMessage.objects.filter(kind="elections.term_ending").exists()
    with at(dt.date(2026, 7, 10)):
        assert s.run_daily() >= 1
        assert s.run_daily() == 0
    users = set(InboxMessage.objects.filter(kind="elections.term_ending").values_list("user__username", flat=True))
    assert {"secretary2", "town_admin"} <= users


# -- pages -------------------------------------------------------------------------------------

def test_terms_overview_marks_expired_in_red_with_text(world, login):
    r = login(world.users["town_admin"]).get(reverse("elections-terms", args=[world.t1.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = r.content.decode()
    assert r.status_code == 200 and 'data-state="expired"' in body and "re-election overdue" in body and "东村党支部" in body
    assert "南村党支部" not in body
    assert login(world.users["member"]).get(reverse("elections-org", args=[world.b1.pk])).status_code == 404


def test_election_pages_flow(ten, login):
    c = login(ten.users["secretary"])
    r = c.post(reverse("elections-new", args=[ten.b1.pk]), {
        "held_on": HELD.isoformat(), "seats": 3, "present": 10, "base": "entitled",
        "candidates": [v.pk for v in ten.voters[:3]]}, HTTP_ACCEPT_LANGUAGE="en")
    e = Election.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("elections-result", args=[e.pk])
    a, b, d = e.candidates.all()
    r = c.post(reverse("elections-result", args=[e.pk]), {f"votes_{a.pk}": 8, f"votes_{b.pk}": 8, f"votes_{d.pk}": 8,
                                                         f"position_{a.pk}": "secretary"})
    assert r.status_code == 302
    seat = CommitteeMember.objects.get(position="secretary")
    assert login(ten.users["secretary"]).get(reverse("elections-officer-approve", args=[seat.pk])).status_code == 403
    r = login(ten.users["town_admin"]).post(reverse("elections-officer-approve", args=[seat.pk]), {})
    assert r.status_code == 302
    seat.refresh_from_db()
    assert seat.in_office


def test_probationary_candidate_refused_on_the_form(ten, login):
    c = login(ten.users["secretary"])
    r = c.post(reverse("elections-new", args=[ten.b1.pk]), {
        "held_on": HELD.isoformat(), "seats": 1, "present": 10, "base": "entitled",
        "candidates": [ten.voters[0].pk, ten.m_probationary.pk]}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "probationary"
    assert "probationary" in r.content.decode(), "the reason is shown on the form"
    assert not Election.objects.exists()


def test_present_taken_from_linked_meeting_sign_in(ten):
    from django.utils import timezone

    from dangjian.orglife.models import Attendance, Meeting, MeetingType

    mt = MeetingType.objects.filter(code="general_meeting").first() or MeetingType.objects.first()
    start = timezone.now() - dt.timedelta(days=1)
    meeting = Meeting.objects.create(org=ten.b1, org_path=ten.b1.path, type=mt, title="换届选举党员大会", starts_at=start,
                                     ends_at=start + dt.timedelta(hours=2), place="村党群服务中心")
    for i, m in enumerate(ten.voters + [ten.m_probationary]):
        Attendance.objects.create(meeting=meeting, member=m, org_path=ten.b1.path, status="present" if i != 0 else "absent")
    e = s.create_election(actor=None, org=ten.b1, held_on=HELD, seats=3, present=None, candidates=ten.voters[1:5], meeting=meeting)
    assert e.present == 9 and e.meeting == meeting, "the probationary member's sign-in does not count"
    e2 = s.create_election(actor=None, org=ten.b1, held_on=HELD, seats=3, present=10, candidates=ten.voters[1:5], meeting=meeting)
    assert any("signed in" in w for w in e2.warnings)
    with pytest.raises(ValidationError) as err:
        s.create_election(actor=None, org=ten.b1, held_on=HELD, seats=3, present=None, candidates=ten.voters[1:5])
    assert codes(err.value) == ["present_required"]
