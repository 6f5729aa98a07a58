"""Appraisal pages as users meet them: staff open, move on, grade and close; members write, comment,
vote and read their grade; nobody sees what they may not."""
from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.appraisal import services
from dangjian.appraisal.models import AppraisalRound, Ballot, DispositionCase, MutualComment, Participant, Stage, Voted
from dangjian.core.errors import REFUSAL_HEADER
from tests.appraisal.conftest import close_with_unqualified, part, vote_all, walk_to


@pytest.fixture
def rnd(voters):
    return services.open_round(actor=voters.users["secretary"], org=voters.b1, year=2026)


def _txt(r):
    return r.content.decode()


def test_org_page_empty_state_then_open_a_round(voters, login):
    c = login(voters.users["secretary"])
    r = c.get(reverse("appraisal-org", args=[voters.b1.pk]))
    assert r.status_code == 200 and 'data-testid="empty"' in _txt(r) and 'data-testid="open-round"' in _txt(r)
    r = c.post(reverse("appraisal-open", args=[voters.b1.pk]), {"year": "2026"})
    rnd = AppraisalRound.objects.get(org=voters.b1, year=2026)
    assert r.status_code == 302 and r["Location"] == reverse("appraisal-round", args=[rnd.pk])
    r = c.get(r["Location"])
    assert r.status_code == 200 and _txt(r).count('data-testid="participant"') == 5
    assert "none linked" in _txt(r)
    r = c.post(reverse("appraisal-open", args=[voters.b1.pk]), {"year": "2026"})
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "round_exists"
    assert AppraisalRound.objects.count() == 1


def test_opening_is_refused_to_members_and_at_a_town(voters, login):
    r = login(voters.users["member"]).get(reverse("appraisal-open", args=[voters.b1.pk]))
    assert r.status_code == 403
    c = login(voters.users["town_admin"])
    r = c.post(reverse("appraisal-open", args=[voters.t1.pk]), {"year": "2026"})
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "not_a_branch" and not AppraisalRound.objects.exists()


def test_member_sees_the_round_but_no_grades_nor_others_entries(rnd, voters, login):
    c = login(voters.users["member"])
    r = c.get(reverse("appraisal-round", args=[rnd.pk]))
    assert r.status_code == 200 and 'data-testid="my-entry-link"' in _txt(r)
    assert 'data-testid="advance-link"' not in _txt(r) and 'data-testid="result-link"' not in _txt(r)
    assert c.get(reverse("appraisal-entry", args=[part(rnd, voters.m_secretary).pk])).status_code == 404
    assert c.get(reverse("appraisal-result", args=[rnd.pk])).status_code == 403
    assert c.get(reverse("appraisal-grades", args=[rnd.pk])).status_code == 403


def test_self_appraisal_by_member_and_by_secretary_on_behalf(rnd, voters, login):
    p = part(rnd, voters.m_member)
    c = login(voters.users["member"])
    r = c.post(reverse("appraisal-self", args=[p.pk]), {"text": "认真学习，积极参加组织生活。"})
    assert r.status_code == 302
    r = c.get(reverse("appraisal-entry", args=[p.pk]))
    assert "认真学习" in _txt(r) and "recorded on their behalf" not in _txt(r)
    q = part(rnd, voters.m_probationary)
    s = login(voters.users["secretary"])
    r = s.get(reverse("appraisal-self", args=[q.pk]))
    assert 'data-testid="form-warning"' in _txt(r)
    r = s.post(reverse("appraisal-self", args=[q.pk]), {"text": "代为记录的自评"})
    assert r.status_code == 302 and "recorded on their behalf" in _txt(s.get(reverse("appraisal-entry", args=[q.pk])))
    r = c.post(reverse("appraisal-self", args=[p.pk]), {"text": ""})
    assert r.status_code == 200 and 'data-testid="error-text"' in _txt(r)


def test_stage_moves_by_the_secretary_in_order(rnd, voters, login):
    c = login(voters.users["secretary"])
    r = c.get(reverse("appraisal-advance", args=[rnd.pk]))
    assert r.status_code == 200 and "have no self-appraisal yet" in _txt(r)
    r = c.post(reverse("appraisal-advance", args=[rnd.pk]), {"to": "grading"})
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "stage_order"
    assert c.post(reverse("appraisal-advance", args=[rnd.pk]), {"to": "mutual"}).status_code == 302
    rnd.refresh_from_db()
    assert rnd.stage == Stage.MUTUAL
    assert login(voters.users["member"]).post(reverse("appraisal-advance", args=[rnd.pk]), {"to": "assessment"}).status_code == 403


def test_mutual_comments_page(rnd, voters, login):
    walk_to(rnd, Stage.MUTUAL, voters.users["secretary"])
    p, s = part(rnd, voters.m_member), part(rnd, voters.m_secretary)
    c = login(voters.users["member"])
    r = c.get(reverse("appraisal-mutual", args=[p.pk]))
    assert r.status_code == 200 and f'data-testid="comment-{voters.m_secretary.pk}"' in _txt(r)
    r = c.post(reverse("appraisal-mutual", args=[p.pk]), {f"c_{s.pk}": "工作认真负责"})
    assert r.status_code == 302 and MutualComment.objects.get().text == "工作认真负责"
    r = login(voters.users["secretary"]).get(reverse("appraisal-entry", args=[s.pk]))
    assert "工作认真负责" in _txt(r) and "赵党员" in _txt(r)  # named: open discussion
    # the secretary cannot comment in the member's name
    assert login(voters.users["secretary"]).get(reverse("appraisal-mutual", args=[p.pk])).status_code == 403


def test_vote_page_once_and_anonymous(rnd, voters, login):
    walk_to(rnd, Stage.ASSESSMENT, voters.users["secretary"])
    p = part(rnd, voters.m_member)
    c = login(voters.users["member"])
    r = c.get(reverse("appraisal-vote", args=[p.pk]))
    assert r.status_code == 200 and _txt(r).count('data-testid="ballot-row"') == 5
    subjects = services.ballot_subjects(p)
    r = c.post(reverse("appraisal-vote", args=[p.pk]), {f"g_{s.pk}": "qualified" for s in subjects[:2]})
    assert r.status_code == 200 and "Choose a grade for" in _txt(r) and not Voted.objects.exists()
    r = c.post(reverse("appraisal-vote", args=[p.pk]), {f"g_{s.pk}": "qualified" for s in subjects})
    assert r.status_code == 302 and Voted.objects.count() == 1 and Ballot.objects.count() == 1
    r = c.get(reverse("appraisal-vote", args=[p.pk]), follow=True)
    assert "already cast" in _txt(r)
    # staff see how many voted, never a tally while voting goes on
    r = login(voters.users["secretary"]).get(reverse("appraisal-round", args=[rnd.pk]))
    assert 'data-testid="ballots">1 / 4' in _txt(r)
    assert f'data-testid="voted-{voters.m_member.pk}">✔' in _txt(r) and f'data-testid="voted-{voters.m_group.pk}">⚠' in _txt(r)
    r = login(voters.users["secretary"]).get(reverse("appraisal-result", args=[rnd.pk]))
    assert "shown once the democratic assessment has ended" in _txt(r)


def test_probationary_member_has_no_ballot(rnd, voters, login):
    from django.contrib.auth import get_user_model

    from dangjian.core import services as org_services

    u = get_user_model().objects.create_user(username="prob", password="x-very-long-password-3")
    org_services.grant_role(actor=None, user=u, org=voters.b1, role="member")
    voters.m_probationary.user = u
    voters.m_probationary.save(update_fields=["user"])
    walk_to(rnd, Stage.ASSESSMENT, voters.users["secretary"])
    p = part(rnd, voters.m_probationary)
    r = login(u).get(reverse("appraisal-vote", args=[p.pk]), follow=True)
    assert "You have no vote" in _txt(r)


def _graded_round(rnd, voters):
    walk_to(rnd, Stage.ASSESSMENT, voters.users["secretary"])
    sec = part(rnd, voters.m_secretary)
    vote_all(rnd, voters, grade_of=lambda s: "excellent" if s.pk == sec.pk else "qualified")
    return walk_to(rnd, Stage.GRADING, voters.users["secretary"])


def test_grading_page_shows_tallies_and_refuses_too_many_excellent(rnd, voters, login):
    rnd = _graded_round(rnd, voters)
    c = login(voters.users["secretary"])
    url = reverse("appraisal-grades", args=[rnd.pk])
    r = c.get(url)
    assert r.status_code == 200 and f'data-testid="tally-{voters.m_secretary.pk}">4 / 0 / 0 / 0' in _txt(r)
    assert "at most 1 of 5" in _txt(r)
    ps = {p.member_id: p for p in Participant.objects.filter(round=rnd)}
    data = {f"grade_{p.pk}": "qualified" for p in ps.values()}
    data[f"grade_{ps[voters.m_secretary.pk].pk}"] = "excellent"
    data[f"grade_{ps[voters.m_member.pk].pk}"] = "excellent"
    r = c.post(url, data)
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "too_many_excellent" and 'data-testid="form-errors"' in _txt(r)
    assert not Participant.objects.filter(round=rnd).exclude(grade="").exists()
    data[f"grade_{ps[voters.m_member.pk].pk}"] = "unqualified"
    r = c.post(url, data)
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "no_reason"
    data[f"reason_{ps[voters.m_member.pk].pk}"] = "长期不参加组织生活"
    assert c.post(url, data).status_code == 302
    assert c.post(reverse("appraisal-advance", args=[rnd.pk]), {"to": "closed"}).status_code == 302
    rnd.refresh_from_db()
    assert rnd.closed
    case = DispositionCase.objects.get()
    r = c.get(reverse("appraisal-round", args=[rnd.pk]))
    assert reverse("appraisal-case", args=[case.pk]) in _txt(r)
    # frozen
    assert c.get(url).status_code == 302
    r = c.get(reverse("appraisal-result", args=[rnd.pk]))
    assert r.status_code == 200 and 'data-testid="count-excellent"><td>Excellent (优秀)</td><td>1</td><td>20.0' in _txt(r)


def test_result_pdf(rnd, voters, login):
    rnd = _graded_round(rnd, voters)
    r = login(voters.users["town_admin"]).get(reverse("appraisal-result-pdf", args=[rnd.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")


def _closed(rnd, voters):
    rnd = _graded_round(rnd, voters)
    grades = {p.pk: ("qualified", "") for p in Participant.objects.filter(round=rnd)}
    grades[part(rnd, voters.m_secretary).pk] = ("excellent", "")
    services.set_grades(actor=None, round=rnd, grades=grades)
    return services.close_round(actor=None, round=rnd)


def test_member_sees_own_grade_on_mine_and_member_page(rnd, voters, login):
    _closed(rnd, voters)
    c = login(voters.users["member"])
    r = c.get(reverse("appraisal-mine"))
    assert 'data-grade="qualified"' in _txt(r) and "Excellent" not in _txt(r)
    r = c.get(reverse("member-detail", args=[voters.m_member.pk]))
    assert r.status_code == 200 and 'data-testid="appraisal-panel-row" data-year="2026"' in _txt(r)
    r = login(voters.users["secretary"]).get(reverse("member-detail", args=[voters.m_member.pk]))
    assert 'data-testid="appraisal-panel"' in _txt(r)


def test_mine_empty_state(world, login):
    r = login(world.users["outsider"]).get(reverse("appraisal-mine"))
    assert r.status_code == 200 and 'data-testid="empty"' in _txt(r)


def test_overview_of_a_town(rnd, voters, login):
    _closed(rnd, voters)
    c = login(voters.users["town_admin"])
    r = c.get(reverse("appraisal-overview", args=[voters.t1.pk]))
    assert r.status_code == 200
    t = _txt(r)
    assert t.count('data-testid="overview-row"') == 2  # b1 and b2
    assert "1 of 2 branches completed" in t and voters.b3.name not in t
    r = c.get(reverse("appraisal-overview", args=[voters.t1.pk]) + "?year=2025")
    assert "0 of 2 branches completed" in _txt(r)
    assert c.get(reverse("appraisal-overview", args=[voters.t1.pk]) + "?year=abc").status_code == 200
    assert login(voters.users["member"]).get(reverse("appraisal-overview", args=[voters.b1.pk])).status_code == 403


def test_case_decision_page(rnd, voters, login):
    case = close_with_unqualified(_graded_round(rnd, voters), voters.m_member)
    c = login(voters.users["secretary"])
    assert c.get(reverse("appraisal-case", args=[case.pk])).status_code == 200
    r = c.post(reverse("appraisal-case-decide", args=[case.pk]),
               {"outcome": "education", "decided_on": "2026-11-20", "note": "支委会谈话教育"})
    assert r.status_code == 302
    r = c.get(reverse("appraisal-case", args=[case.pk]))
    assert 'data-testid="case-outcome"' in _txt(r)
    assert login(voters.users["member"]).get(reverse("appraisal-case", args=[case.pk])).status_code == 404


def test_members_do_not_see_who_has_restricted_rights(voters, login):
    import datetime as dt

    from dangjian.members import services as member_services

    member_services.add_restriction(actor=None, member=voters.m_group, kind="probation", starts_on=dt.date(2026, 1, 1))
    rnd = services.open_round(actor=None, org=voters.b1, year=2026)
    assert "rights restricted" not in _txt(login(voters.users["member"]).get(reverse("appraisal-round", args=[rnd.pk])))
    assert "rights restricted" in _txt(login(voters.users["secretary"]).get(reverse("appraisal-round", args=[rnd.pk])))


def test_link_the_appraisal_meeting_later(rnd, voters, login):
    import datetime as dt

    from dangjian.orglife.models import Meeting, MeetingType

    t = MeetingType.objects.get(code="appraisal", owner_path="")
    when = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    m = Meeting.objects.create(org=voters.b1, org_path=voters.b1.path, type=t, title="民主评议党员大会", starts_at=when,
                               ends_at=when + dt.timedelta(hours=2), place="村部")
    c = login(voters.users["secretary"])
    url = reverse("appraisal-meeting", args=[rnd.pk])
    assert "民主评议党员大会" in _txt(c.get(url))
    assert c.post(url, {"meeting": str(m.pk)}).status_code == 302
    rnd.refresh_from_db()
    assert rnd.meeting == m
    assert "2026-12-05" in _txt(c.get(reverse("appraisal-round", args=[rnd.pk])))
    r = c.post(url, {"meeting": "999999"})
    assert r.status_code == 200 and 'data-testid="error-meeting"' in _txt(r)
    assert c.post(url, {"meeting": ""}).status_code == 302
    rnd.refresh_from_db()
    assert rnd.meeting is None
    assert login(voters.users["member"]).get(url).status_code == 403


def test_overview_queries_do_not_grow_with_branches(voters, login, django_assert_max_num_queries):
    from dangjian.core import services as org_services
    from dangjian.members import services as member_services
    from tests.factories import member_data

    for i in range(12):
        b = org_services.create_organization(actor=None, parent=voters.t1, name=f"新支部{i}", kind="branch")
        member_services.create_member(actor=None, org=b, data=member_data(name=f"新党员{i}"))
        services.open_round(actor=None, org=b, year=2026)
    c = login(voters.users["town_admin"])
    url = reverse("appraisal-overview", args=[voters.t1.pk])
    c.get(url)
    with django_assert_max_num_queries(20):
        r = c.get(url)
    assert _txt(r).count('data-testid="overview-row"') == 14


def test_round_page_names_the_party_group(rnd, voters, login):
    r = login(voters.users["secretary"]).get(reverse("appraisal-round", args=[rnd.pk]))
    assert f'data-testid="group">· {voters.g1.name}' in _txt(r)


def test_paper_ballot_pages(rnd, voters, login):
    walk_to(rnd, Stage.ASSESSMENT, voters.users["secretary"])
    c = login(voters.users["secretary"])
    g, m = part(rnd, voters.m_group), part(rnd, voters.m_member)
    r = c.get(reverse("appraisal-paper-voters", args=[rnd.pk]))
    assert r.status_code == 200 and voters.m_probationary.name not in _txt(r)  # no vote: not listed
    r = c.post(reverse("appraisal-paper-voters", args=[rnd.pk]), {})
    assert r.status_code == 200 and 'data-testid="error-voters"' in _txt(r)
    r = c.post(reverse("appraisal-paper-voters", args=[rnd.pk]), {"voters": [str(g.pk), str(m.pk)]})
    assert r.status_code == 302 and r["Location"] == reverse("appraisal-paper-ballot", args=[rnd.pk])
    url = reverse("appraisal-paper-ballot", args=[rnd.pk])
    r = c.post(url, {})
    assert r.status_code == 200 and "The ballot is empty" in _txt(r)
    assert c.post(url, {f"g_{m.pk}": "qualified"})["Location"] == url
    assert c.post(url, {f"g_{g.pk}": "basic"})["Location"] == reverse("appraisal-round", args=[rnd.pk])
    r = c.get(reverse("appraisal-round", args=[rnd.pk]))
    assert 'data-testid="paper">2 of 2 entered' in _txt(r) and 'data-testid="ballots">2 / 4' in _txt(r)
    assert login(voters.users["member"]).get(url).status_code == 403
    assert login(voters.users["member"]).get(reverse("appraisal-vote", args=[m.pk]), follow=True).status_code == 200


def test_remind_page(rnd, voters, login):
    c = login(voters.users["secretary"])
    url = reverse("appraisal-remind", args=[rnd.pk])
    assert c.get(url).status_code == 200
    r = c.post(url)
    assert r.status_code == 302
    r = c.post(url)
    assert r.status_code == 200 and "already sent today" in _txt(r)
