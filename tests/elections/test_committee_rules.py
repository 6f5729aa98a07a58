"""Committee size at the election (支部工作条例 art. 9; DOMAIN §2, §11 "Structure & terms":
≥7 full members → committee [block]; 3–5 seats, [warn] >5, [block] >7; [warn] committee with <7
full members) and the secretary's Party standing (党龄 ≥1 year, [warn]) — both sides of each edge."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.errors import REFUSAL_HEADER, codes
from dangjian.elections import services as s
from dangjian.elections.models import Candidate, CommitteeMember, Election, Term
from dangjian.members.models import Member
from dangjian.members.services import create_member
from tests.factories import member_data

TODAY = dt.date.today()
HELD = TODAY - dt.timedelta(days=1)


def full_members(world, n):
    """b1 with ``n`` full members (the world has 4: secretary, committee, member, group member)."""
    extra = [create_member(actor=None, org=world.b1, data=member_data(name=f"东村党员{i}")) for i in range(n - 4)]
    world.voters = [world.m_secretary, world.m_committee, world.m_member, world.m_group] + extra
    return world


def elect(w, seats, cands=None, present=None):
    cands = cands if cands is not None else w.voters[: max(seats, 1)]
    return s.create_election(actor=w.users["secretary"], org=w.b1, held_on=HELD, seats=seats,
                             present=present if present is not None else len(w.voters), candidates=cands)


def size_warnings(e):
    return [w for w in e.warnings if "支部工作条例" in w]


# -- ≥7 full members: a committee must be set up ----------------------------------------------------

@pytest.mark.parametrize("n,seats,blocked", [(7, 2, True), (7, 3, False), (6, 2, False), (6, 1, False)])
def test_seven_full_members_need_a_committee_of_at_least_three(world, n, seats, blocked):
    full_members(world, n)
    if blocked:
        with pytest.raises(ValidationError) as err:
            elect(world, seats)
        assert [e.code for e in err.value.error_dict["seats"]] == ["committee_required"]
        assert not Election.objects.exists()
    else:
        e = elect(world, seats)
        assert not any("must be set up" in w for w in e.warnings)


# -- 3–5 seats; [warn] above 5; [block] above 7 ---------------------------------------------------

@pytest.mark.parametrize("seats,outcome", [(5, "ok"), (6, "warn"), (7, "warn"), (8, "block")])
def test_committee_size_edges(world, seats, outcome):
    full_members(world, 10)
    if outcome == "block":
        with pytest.raises(ValidationError) as err:
            elect(world, seats)
        assert [e.code for e in err.value.error_dict["seats"]] == ["too_many_seats"]
        assert not Election.objects.exists() and not Candidate.objects.exists()
        return
    e = elect(world, seats)
    warned = [w for w in e.warnings if "3 to 5" in w]
    assert bool(warned) is (outcome == "warn")
    if warned:
        assert f"has {seats} members" in warned[0] and "支部工作条例第9条" in warned[0]


def test_eight_seats_refused_on_the_form_with_the_reason(world, login):
    full_members(world, 10)
    r = login(world.users["secretary"]).post(reverse("elections-new", args=[world.b1.pk]), {
        "held_on": HELD.isoformat(), "seats": 8, "present": 10, "base": "entitled",
        "candidates": [v.pk for v in world.voters[:9]]}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "too_many_seats"
    assert "at most 7 are allowed" in r.content.decode(), "the reason is shown on the form"
    assert not Election.objects.exists()


@pytest.mark.parametrize("n,seats,warned", [(6, 3, True), (7, 3, False), (6, 2, False)])
def test_committee_with_fewer_than_seven_full_members_warned(world, n, seats, warned):
    full_members(world, n)
    e = elect(world, seats)
    assert any("Fewer than 7 full members" in w for w in e.warnings) is warned


def test_a_draft_with_more_than_seven_seats_cannot_get_a_result(world):
    """A draft recorded before the rule: the result is refused, nothing written."""
    full_members(world, 10)
    e = Election.objects.create(org=world.b1, org_path=world.b1.path, held_on=HELD, seats=8, entitled=10, present=10)
    cands = [Candidate.objects.create(election=e, member=m) for m in world.voters[:8]]
    with pytest.raises(ValidationError) as err:
        s.record_result(actor=None, election=e, votes={c.pk: 9 for c in cands}, positions={})
    assert codes(err.value) == ["too_many_seats", "too_many_seats"]
    e.refresh_from_db()
    assert e.status == "draft" and not Term.objects.exists() and not CommitteeMember.objects.exists()


def test_elected_committee_smaller_than_required_is_warned(world):
    full_members(world, 10)
    e = elect(world, 3, cands=world.voters[:4])
    a, b, c, d = e.candidates.all()
    s.record_result(actor=None, election=e, votes={a.pk: 9, b.pk: 8, c.pk: 1, d.pk: 0}, positions={a.pk: "secretary"})
    e.refresh_from_db()
    assert any("vacant" in w for w in e.warnings)
    assert any("must be set up" in w for w in e.warnings), "2 elected with 10 full members: no committee yet"


def test_party_committee_has_no_branch_size_rule(world):
    from dangjian.core.services import create_organization

    pc = create_organization(actor=None, parent=world.t1, name="园区党委", kind="primary_committee", area_type="other")
    assert s.committee_size_findings(pc, 9) == []
    assert [f.rule for f in s.committee_size_findings(world.b1, 9)] == ["S4", "S5"]  # 4 full members in b1


# -- the secretary's Party standing (党龄 ≥ 1 year) -------------------------------------------------

def _with_standing(member, full_on):
    Member.objects.filter(pk=member.pk).update(full_member_on=full_on)
    member.refresh_from_db()


def _elect_secretary(world, secretary, deputy=None):
    first = [secretary] + ([deputy] if deputy is not None else [])
    cands = first + [v for v in world.voters if v not in first][: 4 - len(first)]
    e = elect(world, 3, cands=cands)
    by_member = {c.member_id: c for c in e.candidates.all()}
    votes = {c.pk: 9 for c in by_member.values()}
    votes[by_member[cands[3].pk].pk] = 1
    positions = {by_member[secretary.pk].pk: "secretary"}
    if deputy is not None:
        positions[by_member[deputy.pk].pk] = "deputy_secretary"
    s.record_result(actor=None, election=e, votes=votes, positions=positions)
    e.refresh_from_db()
    return e


@pytest.mark.parametrize("days_short,warned", [(0, False), (1, True)])
def test_secretary_with_less_than_one_year_standing_is_warned_and_stored(world, login, days_short, warned):
    full_members(world, 10)
    sec = world.voters[4]
    _with_standing(sec, HELD.replace(year=HELD.year - 1) + dt.timedelta(days=days_short))
    e = _elect_secretary(world, sec)
    stored = [w for w in e.warnings if "Party standing" in w]
    assert bool(stored) is warned
    seat = CommitteeMember.objects.get(member=sec, ended_on__isnull=True)
    findings = [f for f in s.committee_findings(world.b1) if f[0] == "E4"]
    assert bool(findings) is warned
    detail = login(world.users["secretary"]).get(reverse("elections-detail", args=[e.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    org_page = login(world.users["secretary"]).get(reverse("elections-org", args=[world.b1.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    approve = login(world.users["town_admin"]).get(reverse("elections-officer-approve", args=[seat.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for body in (detail, org_page, approve):
        assert ("less than 12 months of Party standing" in body) is warned
    assert ('data-rule="E4"' in org_page) is warned and ('data-testid="form-warning"' in approve) is warned
    s.approve_officer(actor=world.users["town_admin"], seat=seat)  # a warning, never a refusal
    seat.refresh_from_db()
    assert seat.in_office


def test_deputy_is_warned_only_when_configured(world, settings):
    full_members(world, 10)
    sec, dep = world.voters[4], world.voters[5]
    _with_standing(dep, HELD - dt.timedelta(days=100))
    e = _elect_secretary(world, sec, deputy=dep)
    assert not [w for w in e.warnings if "Party standing" in w], "DOMAIN names the secretary only"
    settings.DANGJIAN_ELECTIONS = {"standing_positions": ("secretary", "deputy_secretary")}
    assert any(f[0] == "E4" and dep.name in f[2] for f in s.committee_findings(world.b1))


# -- 党员代表大会 option -----------------------------------------------------------------------------

@pytest.mark.parametrize("at,warned", [(11, True), (12, False)])
def test_congress_option_from_the_configured_size(world, settings, at, warned):
    full_members(world, 10)  # + 1 probationary member = 11 members on record
    settings.DANGJIAN_ELECTIONS = {"congress_option_at": at}
    e = elect(world, 3)
    assert any("党员代表大会" in w for w in e.warnings) is warned


# -- filing (备案) of the elected committee by the upper organization --------------------------------

def _recorded(world):
    full_members(world, 10)
    e = elect(world, 3, cands=world.voters[:4])
    a, b, c, d = e.candidates.all()
    s.record_result(actor=None, election=e, votes={a.pk: 9, b.pk: 9, c.pk: 9, d.pk: 1}, positions={a.pk: "secretary"})
    return e


def test_filing_shows_not_yet_filed_until_the_upper_org_enters_the_date(world, login):
    from dangjian.core.models import AuditEvent

    e = _recorded(world)
    page = login(world.users["secretary"]).get(reverse("elections-org", args=[world.b1.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('data-filed="no"') == 3 and "not yet filed" in page and 'data-testid="file-committee"' not in page
    committee = CommitteeMember.objects.filter(position="committee")
    assert not any(x.in_office for x in committee), "a committee member counts as in office once filed"
    c = login(world.users["town_admin"])
    assert 'data-testid="file-committee"' in c.get(reverse("elections-org", args=[world.b1.pk])).content.decode()
    r = c.post(reverse("elections-file", args=[world.b1.pk]), {"filed_on": TODAY.isoformat()})
    assert r.status_code == 302
    assert set(CommitteeMember.objects.values_list("filed_on", flat=True)) == {TODAY}
    assert set(CommitteeMember.objects.values_list("filed_by", flat=True)) == {world.users["town_admin"].pk}
    assert all(x.in_office for x in CommitteeMember.objects.filter(position="committee"))
    ev = AuditEvent.objects.get(action="elections.file_committee")
    assert ev.actor == world.users["town_admin"] and len(ev.data["seats"]) == 3
    page = c.get(reverse("elections-org", args=[world.b1.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('data-filed="yes"') == 3 and f"filed on {TODAY:%Y-%m-%d}" in page and 'data-testid="file-committee"' not in page
    assert e.pk


@pytest.mark.parametrize("delta,ok", [(-1, False), (0, True)])
def test_filing_date_not_before_the_election(world, delta, ok):
    _recorded(world)
    on = HELD + dt.timedelta(days=delta)
    if ok:
        assert len(s.file_committee(actor=world.users["town_admin"], org=world.b1, filed_on=on)) == 3
    else:
        with pytest.raises(ValidationError) as err:
            s.file_committee(actor=world.users["town_admin"], org=world.b1, filed_on=on)
        assert codes(err.value) == ["before_election"]
        assert not CommitteeMember.objects.filter(filed_on__isnull=False).exists()


def test_filing_refused_in_the_future_twice_or_without_a_committee(world):
    from dangjian.core.models import AuditEvent

    with pytest.raises(ValidationError) as err:
        s.file_committee(actor=None, org=world.b2, filed_on=TODAY)
    assert err.value.code == "no_committee"
    _recorded(world)
    with pytest.raises(ValidationError) as err:
        s.file_committee(actor=None, org=world.b1, filed_on=TODAY + dt.timedelta(days=1))
    assert codes(err.value) == ["in_future"] and "filed_on" in err.value.error_dict
    s.file_committee(actor=None, org=world.b1, filed_on=TODAY)
    with pytest.raises(ValidationError) as err:
        s.file_committee(actor=None, org=world.b1, filed_on=TODAY)
    assert err.value.code == "already_filed"
    assert AuditEvent.objects.filter(action="elections.file_committee").count() == 1


def test_only_the_upper_organization_files(world, login):
    _recorded(world)
    url = reverse("elections-file", args=[world.b1.pk])
    assert login(world.users["secretary"]).post(url, {"filed_on": TODAY.isoformat()}).status_code == 403
    assert login(world.users["town2_admin"]).post(url, {"filed_on": TODAY.isoformat()}).status_code == 404
    assert not CommitteeMember.objects.filter(filed_on__isnull=False).exists()
    r = login(world.users["town_admin"]).post(url, {"filed_on": (HELD - dt.timedelta(days=1)).isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "before_election"
    assert "cannot come before the election" in r.content.decode(), "the reason is shown on the form"


def test_demo_seed_files_and_approves_the_demo_committee(world):
    from types import SimpleNamespace

    from dangjian.elections import demo

    full_members(world, 10)
    ctx = SimpleNamespace(orgs={"branch": world.b1, "town": world.t1}, today=TODAY, scale="tiny", say=lambda *a: None)
    demo.seed(ctx)
    seats = list(CommitteeMember.objects.filter(org=world.b1, ended_on__isnull=True))
    assert len(seats) == 3 and all(x.filed_on and x.in_office for x in seats)


@pytest.mark.parametrize("days_short,warned", [(0, False), (1, True)])
def test_result_page_names_candidates_short_of_one_year(world, login, days_short, warned):
    full_members(world, 10)
    young = world.voters[4]
    _with_standing(young, HELD.replace(year=HELD.year - 1) + dt.timedelta(days=days_short))
    e = elect(world, 3, cands=world.voters[2:6])
    body = login(world.users["secretary"]).get(reverse("elections-result", args=[e.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ('data-testid="form-warning"' in body) is warned
    assert (f"a secretary normally has at least 1 year: {young.name}" in body) is warned
