"""Rules of the democratic appraisal (DOMAIN §6, §11 "Democratic appraisal"), each both ways."""
from __future__ import annotations

import datetime as dt
import uuid
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from dangjian.appraisal import selectors, services
from dangjian.appraisal.models import (
    AppraisalRound,
    Ballot,
    BallotMark,
    DispositionCase,
    MutualComment,
    Participant,
    Stage,
    Voted,
)
from dangjian.core import policy
from dangjian.core.errors import codes
from dangjian.core.models import AuditEvent
from tests.appraisal.conftest import close_with_unqualified, part, vote_all, walk_to


@pytest.fixture
def rnd(voters):
    return services.open_round(actor=voters.users["secretary"], org=voters.b1, year=2026)


@contextmanager
def refused(code):
    """The service refuses for the reason ``code`` (read from the error, not its translated text)."""
    with pytest.raises(ValidationError) as e:
        yield e
    assert code in codes(e.value), codes(e.value)


def _appraisal_meeting(org, when=dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC), code="appraisal"):
    from dangjian.orglife.models import Meeting, MeetingType

    t = MeetingType.objects.get(code=code, owner_path="")
    return Meeting.objects.create(org=org, org_path=org.path, type=t, title="民主评议党员大会", starts_at=when,
                                  ends_at=when + dt.timedelta(hours=2), place="村部")


# -- opening ----------------------------------------------------------------------------------

def test_open_round_lists_the_branch_subtree_with_roles(voters):
    from dangjian.members import services as member_services
    from dangjian.orglife.services import create_exemption

    w = voters
    create_exemption(actor=None, member=w.m_b2[0], basis="old", note="", starts_on=dt.date(2026, 1, 1), ends_on=None)  # elsewhere
    create_exemption(actor=None, member=w.m_committee, basis="ill", note="住院", starts_on=dt.date(2026, 1, 1), ends_on=None)
    member_services.add_restriction(actor=None, member=w.m_member, kind="probation", starts_on=dt.date(2026, 6, 1))
    rnd = services.open_round(actor=w.users["secretary"], org=w.b1, year=2026)
    parts = {p.member_id: p for p in Participant.objects.filter(round=rnd)}
    assert set(parts) == {w.m_secretary.pk, w.m_committee.pk, w.m_member.pk, w.m_probationary.pk, w.m_group.pk}
    assert parts[w.m_committee.pk].exempt and not parts[w.m_committee.pk].may_vote
    assert parts[w.m_member.pk].restricted and not parts[w.m_member.pk].may_vote and not parts[w.m_member.pk].exempt
    assert parts[w.m_probationary.pk].probationary and not parts[w.m_probationary.pk].may_vote
    assert parts[w.m_secretary.pk].may_vote and parts[w.m_group.pk].may_vote
    assert AuditEvent.objects.filter(action="appraisal.open", object_id=str(rnd.pk)).exists()


def test_probationary_members_vote_when_configured(voters, settings):
    settings.DANGJIAN_APPRAISAL = {"probationary_vote": True}
    rnd = services.open_round(actor=None, org=voters.b1, year=2026)
    assert part(rnd, voters.m_probationary).may_vote


def test_one_round_per_org_and_year(rnd, voters):
    with refused("round_exists"):
        services.open_round(actor=None, org=voters.b1, year=2026)
    assert services.open_round(actor=None, org=voters.b1, year=2025).year == 2025
    assert AppraisalRound.objects.filter(org=voters.b1).count() == 2


def test_only_member_holding_orgs_and_this_or_last_year(world):
    for org in (world.t1, world.g1):
        with refused("not_a_branch"):
            services.open_round(actor=None, org=org, year=2026)
    for year in (2027, 2024):
        with refused("year_out_of_range"):
            services.open_round(actor=None, org=world.b1, year=year)
    assert not AppraisalRound.objects.exists()


def test_a_round_below_or_above_overlaps(world):
    from dangjian.core import services as org_services

    gb = org_services.create_organization(actor=None, parent=world.t2, name="南镇机关总支", kind="general_branch")
    sub = org_services.create_organization(actor=None, parent=gb, name="机关第一支部", kind="branch")
    from dangjian.members import services as member_services
    from tests.factories import member_data

    member_services.create_member(actor=None, org=sub, data=member_data(name="机关党员"))
    services.open_round(actor=None, org=sub, year=2026)
    with refused("overlapping_round"):
        services.open_round(actor=None, org=gb, year=2026)


def test_an_empty_branch_is_refused(world):
    from dangjian.core import services as org_services

    empty = org_services.create_organization(actor=None, parent=world.t2, name="空支部", kind="branch")
    with refused("no_members"):
        services.open_round(actor=None, org=empty, year=2026)


def test_meeting_link_must_be_an_appraisal_meeting_of_the_org(world):
    other_type = _appraisal_meeting(world.b1, code="general_meeting")
    with refused("not_appraisal_meeting") as e:
        services.open_round(actor=None, org=world.b1, year=2026, meeting=other_type)
    assert "meeting" in e.value.message_dict
    elsewhere = _appraisal_meeting(world.b2)
    with refused("not_appraisal_meeting"):
        services.open_round(actor=None, org=world.b1, year=2026, meeting=elsewhere)
    last_year = _appraisal_meeting(world.b1, when=dt.datetime(2025, 12, 1, 9, 0, tzinfo=dt.UTC))
    with refused("meeting_other_year"):
        services.open_round(actor=None, org=world.b1, year=2026, meeting=last_year)
    m = _appraisal_meeting(world.b1)
    assert services.open_round(actor=None, org=world.b1, year=2026, meeting=m).meeting == m


def test_opening_and_assessment_notify_members_by_inbox(rnd, voters):
    from dangjian.notify.models import InboxMessage

    got = set(InboxMessage.objects.filter(kind="appraisal.self_open").values_list("user_id", flat=True))
    assert voters.users["member"].pk in got and voters.users["grouper"].pk in got
    walk_to(rnd, Stage.ASSESSMENT, voters.users["secretary"])
    got = set(InboxMessage.objects.filter(kind="appraisal.assessment_open").values_list("user_id", flat=True))
    assert got == {voters.users[n].pk for n in ("secretary", "committee", "member", "grouper")}


# -- self-appraisal and stages ----------------------------------------------------------------

def test_self_appraisal_by_the_member_or_on_their_behalf(rnd, voters):
    p = part(rnd, voters.m_member)
    services.write_self_appraisal(actor=voters.users["member"], participant=p, text="学习党章，按时交纳党费。")
    p.refresh_from_db()
    assert p.self_text.startswith("学习") and not p.self_by_proxy
    q = part(rnd, voters.m_probationary)
    services.write_self_appraisal(actor=voters.users["secretary"], participant=q, text="代为记录")
    q.refresh_from_db()
    assert q.self_by_proxy and q.self_by == voters.users["secretary"]
    with refused("no_text"):
        services.write_self_appraisal(actor=voters.users["member"], participant=p, text="   ")


def test_self_appraisal_only_at_its_stage(rnd, voters):
    walk_to(rnd, Stage.MUTUAL, voters.users["secretary"])
    with refused("wrong_stage"):
        services.write_self_appraisal(actor=voters.users["member"], participant=part(rnd, voters.m_member), text="晚了")


def test_stages_in_order_only(rnd, voters):
    sec = voters.users["secretary"]
    with refused("stage_order"):
        services.advance(actor=sec, round=rnd, to=Stage.ASSESSMENT)
    with refused("stage_order"):
        services.advance(actor=sec, round=rnd, to=Stage.SELF)
    rnd = services.advance(actor=sec, round=rnd, to=Stage.MUTUAL)
    assert rnd.stage == Stage.MUTUAL
    assert AuditEvent.objects.filter(action="appraisal.stage").count() == 1


# -- mutual appraisal -------------------------------------------------------------------------

def test_mutual_comments_one_per_pair_named_by_the_author(rnd, voters):
    walk_to(rnd, Stage.MUTUAL, voters.users["secretary"])
    a, s = part(rnd, voters.m_member), part(rnd, voters.m_secretary)
    services.write_comments(actor=voters.users["member"], author=a, comments={s.pk: "带头作用好"})
    services.write_comments(actor=voters.users["member"], author=a, comments={s.pk: "带头作用突出"})
    assert list(MutualComment.objects.filter(author=a, subject=s).values_list("text", flat=True)) == ["带头作用突出"]
    services.write_comments(actor=voters.users["member"], author=a, comments={s.pk: ""})
    assert not MutualComment.objects.filter(author=a).exists()
    with pytest.raises(policy.NotPermitted):  # the staff may not write them for the member
        services.write_comments(actor=voters.users["secretary"], author=a, comments={s.pk: "代写"})
    with refused("not_self"):  # nor may the system: the comments carry the author's name
        services.write_comments(actor=None, author=a, comments={s.pk: "代写"})
    with refused("not_a_subject"):
        services.write_comment(actor=voters.users["member"], author=a, subject=a, text="自评")


def test_comments_only_during_the_mutual_stage(rnd, voters):
    a, s = part(rnd, voters.m_member), part(rnd, voters.m_secretary)
    with refused("wrong_stage"):
        services.write_comments(actor=voters.users["member"], author=a, comments={s.pk: "早了"})


# -- the anonymous assessment -----------------------------------------------------------------

def test_a_voter_casts_exactly_one_ballot(rnd, voters):
    walk_to(rnd, Stage.ASSESSMENT, voters.users["secretary"])
    v = part(rnd, voters.m_member)
    marks = {s.pk: "qualified" for s in services.ballot_subjects(v)}
    assert len(marks) == 5  # every appraised participant, the voter included
    services.cast_ballot(actor=voters.users["member"], voter=v, marks=marks)
    with refused("already_voted"):
        services.cast_ballot(actor=voters.users["member"], voter=v, marks=marks)
    assert Voted.objects.filter(round=rnd).count() == 1 and Ballot.objects.filter(round=rnd).count() == 1
    assert BallotMark.objects.filter(ballot__round=rnd).count() == 5


def test_ballot_refusals(rnd, voters):
    sec = voters.users["secretary"]
    v = part(rnd, voters.m_member)
    full = {s.pk: "qualified" for s in services.ballot_subjects(v)}
    with refused("wrong_stage"):
        services.cast_ballot(actor=voters.users["member"], voter=v, marks=full)
    walk_to(rnd, Stage.ASSESSMENT, sec)
    with pytest.raises(policy.NotPermitted):  # no proxy vote by the staff
        services.cast_ballot(actor=sec, voter=v, marks=full)
    with refused("not_self"):  # nor by the system
        services.cast_ballot(actor=None, voter=v, marks=full)
    with refused("incomplete_ballot"):
        services.cast_ballot(actor=voters.users["member"], voter=v, marks=dict(list(full.items())[:2]))
    with refused("bad_grade"):
        services.cast_ballot(actor=voters.users["member"], voter=v, marks=dict.fromkeys(full, "great"))
    prob = part(rnd, voters.m_probationary)
    from django.contrib.auth import get_user_model

    from dangjian.core import services as org_services

    u = get_user_model().objects.create_user(username="prob", password="x-very-long-password-2")
    org_services.grant_role(actor=None, user=u, org=voters.m_probationary.org, role="member")
    voters.m_probationary.user = u
    voters.m_probationary.save(update_fields=["user"])
    prob.refresh_from_db()
    with refused("no_vote"):
        services.cast_ballot(actor=u, voter=prob, marks={s.pk: "qualified" for s in services.ballot_subjects(prob)})
    assert not Voted.objects.exists() and not Ballot.objects.exists() and not BallotMark.objects.exists()


def test_a_ballot_is_not_signed_by_the_name_missing_from_it(rnd, voters):
    """Every online ballot lists the same people (the voter rates themself too): a ballot leaving
    out its voter would name them."""
    walk_to(rnd, Stage.ASSESSMENT, voters.users["secretary"])
    vote_all(rnd, voters)
    sets = {frozenset(BallotMark.objects.filter(ballot=b).values_list("subject_id", flat=True)) for b in Ballot.objects.filter(round=rnd)}
    assert len(sets) == 1 and len(next(iter(sets))) == Participant.objects.filter(round=rnd, exempt_basis="").count()


def test_ballot_tables_cannot_link_a_ballot_to_its_voter():
    """No column of Ballot or BallotMark points at a user, a member, a voter or a time."""
    for model in (Ballot, BallotMark):
        for f in model._meta.concrete_fields:
            assert not isinstance(f, (models.DateTimeField, models.DateField, models.TimeField)), (model, f.name)
            if f.is_relation:
                assert f.related_model in (AppraisalRound, Ballot, Participant), (model, f.name)
        assert isinstance(model._meta.pk, models.UUIDField)
    assert [f.name for f in Ballot._meta.concrete_fields] == ["id", "round", "paper"]
    # the mark's participant is the one *rated*, never the voter
    assert {f.name for f in BallotMark._meta.concrete_fields} == {"id", "ballot", "subject", "grade"}
    assert {f.name for f in Voted._meta.concrete_fields} == {"id", "round", "participant", "paper"}  # who, not what, not when


def test_two_voters_ballots_cannot_be_told_apart_by_order_or_time(rnd, voters):
    walk_to(rnd, Stage.ASSESSMENT, voters.users["secretary"])
    vote_all(rnd, voters, who=("member", "grouper"))
    rows = list(Ballot.objects.filter(round=rnd).values())
    assert len(rows) == 2
    assert all(uuid.UUID(str(r["id"])).version == 4 for r in rows)  # random keys: no sequence
    assert [{k: v for k, v in r.items() if k != "id"} for r in rows] == [{"round_id": rnd.pk, "paper": False}] * 2
    audit = list(AuditEvent.objects.filter(action="appraisal.ballot_cast").values_list("data", flat=True))
    assert len(audit) == 2 and all(set(d) == {"round"} for d in audit)  # a ballot was cast; no content
    before = {str(r["id"]) for r in rows}
    walk_to(rnd, Stage.GRADING, voters.users["secretary"])  # ending the assessment shakes the box
    after = set(str(x) for x in Ballot.objects.filter(round=rnd).values_list("id", flat=True))
    assert len(after) == 2 and not (before & after)
    assert BallotMark.objects.filter(ballot__round=rnd).count() == 10  # 2 ballots × 5 appraised


def test_tallies_only_after_the_assessment(rnd, voters):
    walk_to(rnd, Stage.ASSESSMENT, voters.users["secretary"])
    sec = part(rnd, voters.m_secretary)
    vote_all(rnd, voters, grade_of=lambda s: "excellent" if s.pk == sec.pk else "qualified")
    assert selectors.tallies(rnd) is None
    walk_to(rnd, Stage.GRADING, voters.users["secretary"])
    t = selectors.tallies(rnd)
    assert t[sec.pk]["excellent"] == 4 and t[sec.pk]["qualified"] == 0  # 4 voters, the secretary included
    assert t[part(rnd, voters.m_probationary).pk]["qualified"] == 4


# -- grading and closing ----------------------------------------------------------------------

def _to_grading(rnd, voters):
    walk_to(rnd, Stage.ASSESSMENT, voters.users["secretary"])
    vote_all(rnd, voters)
    return walk_to(rnd, Stage.GRADING, voters.users["secretary"])


def test_excellent_is_limited_to_a_third(rnd, voters):
    rnd = _to_grading(rnd, voters)
    ps = list(Participant.objects.filter(round=rnd).order_by("id"))  # 5 graded → at most 1 优秀
    with refused("too_many_excellent") as e:
        services.set_grades(actor=voters.users["secretary"], round=rnd,
                            grades={ps[0].pk: ("excellent", ""), ps[1].pk: ("excellent", "")})
    assert (e.value.params["limit"], e.value.params["n"], e.value.params["k"]) == (1, 5, 2)
    assert not Participant.objects.filter(round=rnd).exclude(grade="").exists()
    assert services.set_grades(actor=voters.users["secretary"], round=rnd, grades={ps[0].pk: ("excellent", "")}) == 1
    with refused("too_many_excellent") as e:  # counted with the grades already saved
        services.set_grades(actor=voters.users["secretary"], round=rnd, grades={ps[1].pk: ("excellent", "")})
    assert (e.value.params["limit"], e.value.params["n"]) == (1, 5)


def test_excellent_share_is_configurable(rnd, voters, settings):
    settings.DANGJIAN_APPRAISAL = {"excellent_max_share": "1/2"}
    rnd = _to_grading(rnd, voters)
    ps = list(Participant.objects.filter(round=rnd).order_by("id"))
    services.set_grades(actor=None, round=rnd, grades={ps[0].pk: ("excellent", ""), ps[1].pk: ("excellent", "")})
    assert Participant.objects.filter(round=rnd, grade="excellent").count() == 2


def test_unqualified_needs_a_reason_and_exempt_members_are_not_graded(voters):
    from dangjian.orglife.services import create_exemption

    create_exemption(actor=None, member=voters.m_group, basis="old", note="", starts_on=dt.date(2026, 1, 1), ends_on=None)
    rnd = services.open_round(actor=None, org=voters.b1, year=2026)
    rnd = walk_to(rnd, Stage.GRADING, voters.users["secretary"])
    m, g = part(rnd, voters.m_member), part(rnd, voters.m_group)
    with refused("no_reason"):
        services.set_grades(actor=None, round=rnd, grades={m.pk: ("unqualified", " ")})
    with refused("exempt"):
        services.set_grades(actor=None, round=rnd, grades={g.pk: ("qualified", "")})
    services.set_grades(actor=None, round=rnd, grades={m.pk: ("unqualified", "全年未参加组织生活")})
    assert part(rnd, voters.m_member).grade == "unqualified"


def test_grades_only_at_the_grading_stage(rnd, voters):
    with refused("wrong_stage"):
        services.set_grades(actor=None, round=rnd, grades={part(rnd, voters.m_member).pk: ("qualified", "")})


def test_closing_needs_every_grade_then_freezes_and_opens_cases(rnd, voters):
    sec = voters.users["secretary"]
    rnd = _to_grading(rnd, voters)
    ps = {p.member_id: p for p in Participant.objects.filter(round=rnd)}
    services.set_grades(actor=sec, round=rnd, grades={ps[voters.m_secretary.pk].pk: ("excellent", "")})
    with refused("not_all_graded"):
        services.advance(actor=sec, round=rnd, to=Stage.CLOSED)
    grades = {p.pk: ("qualified", "") for mid, p in ps.items() if mid != voters.m_secretary.pk}
    grades[ps[voters.m_member.pk].pk] = ("unqualified", "长期不参加组织生活，经教育不改")
    services.set_grades(actor=sec, round=rnd, grades=grades)
    rnd = services.advance(actor=sec, round=rnd, to=Stage.CLOSED)
    assert rnd.stage == Stage.CLOSED and rnd.closed_by == sec
    case = DispositionCase.objects.get(round=rnd)
    assert case.member == voters.m_member and case.status == "open" and "教育不改" in case.basis
    with refused("round_closed"):
        services.set_grades(actor=sec, round=rnd, grades={ps[voters.m_member.pk].pk: ("qualified", "")})
    with refused("round_closed"):
        services.advance(actor=sec, round=rnd, to=Stage.SELF)
    assert AuditEvent.objects.filter(action="appraisal.close").exists()
    counts = selectors.grade_counts(rnd)
    assert counts["excellent"] == 1 and counts["appraised"] == 5 and counts["excellent_pct"] == 20.0
    assert [r.round for r in selectors.member_grades(voters.m_member)] == [rnd]


def test_disposition_case_is_decided_by_people(rnd, voters):
    sec = voters.users["secretary"]
    case = close_with_unqualified(_to_grading(rnd, voters), voters.m_member, sec)
    today = timezone.localdate()
    with refused("over_a_year") as e:  # more than a year
        services.decide_case(actor=sec, case=case, outcome="correct", note="支委会决定", help_plan="书记结对帮扶",
                             correct_until=today + dt.timedelta(days=400))
    assert "correct_until" in e.value.message_dict
    with refused("no_help_plan") as e:  # 限期改正 without a help plan
        services.decide_case(actor=sec, case=case, outcome="correct", note="支委会决定", correct_until=today + dt.timedelta(days=200))
    assert "help_plan" in e.value.message_dict
    with refused("no_note") as e:
        services.decide_case(actor=sec, case=case, outcome="education", note="")
    assert "note" in e.value.message_dict
    until = today + dt.timedelta(days=200)
    c = services.decide_case(actor=sec, case=case, outcome="correct", note="支部大会决定限期改正", correct_until=until,
                             help_plan="支部书记结对帮扶，每月谈心一次")
    assert c.status == "decided" and c.correct_until == until and "结对" in c.help_plan
    voters.m_member.refresh_from_db()
    assert voters.m_member.state == "active"  # nobody is removed by the system
    with refused("decided"):
        services.decide_case(actor=sec, case=case, outcome="education", note="再议")


def test_meeting_linked_later_but_not_after_closing(rnd, voters):
    m = _appraisal_meeting(voters.b1)
    services.link_meeting(actor=None, round=rnd, meeting=m)
    assert AppraisalRound.objects.get(pk=rnd.pk).meeting == m
    with refused("not_appraisal_meeting"):
        services.link_meeting(actor=None, round=rnd, meeting=_appraisal_meeting(voters.b2))
    rnd = _to_grading(rnd, voters)
    services.set_grades(actor=None, round=rnd, grades={p.pk: ("qualified", "") for p in Participant.objects.filter(round=rnd)})
    services.close_round(actor=None, round=rnd)
    with refused("round_closed"):
        services.link_meeting(actor=None, round=rnd, meeting=None)


def test_paper_ballots_at_the_meeting(rnd, voters):
    sec = voters.users["secretary"]
    walk_to(rnd, Stage.ASSESSMENT, sec)
    vote_all(rnd, voters, who=("member",))  # one member voted online
    g, m, c = part(rnd, voters.m_group), part(rnd, voters.m_member), part(rnd, voters.m_committee)
    with refused("already_voted"):
        services.mark_paper_voters(actor=sec, round=rnd, voters=[m])
    with refused("no_vote"):
        services.mark_paper_voters(actor=sec, round=rnd, voters=[part(rnd, voters.m_probationary)])
    with refused("all_paper_entered") as e:
        services.enter_paper_ballot(actor=sec, round=rnd, marks={m.pk: "qualified"})
    assert e.value.params == {"n": 0}
    assert services.mark_paper_voters(actor=sec, round=rnd, voters=[g, c]) == 2
    with refused("empty_ballot"):
        services.enter_paper_ballot(actor=sec, round=rnd, marks={m.pk: ""})
    services.enter_paper_ballot(actor=sec, round=rnd, marks={m.pk: "excellent", g.pk: ""})  # blank = abstention
    services.enter_paper_ballot(actor=sec, round=rnd, marks={m.pk: "qualified", c.pk: "qualified"})
    with refused("all_paper_entered") as e:
        services.enter_paper_ballot(actor=sec, round=rnd, marks={m.pk: "qualified"})
    assert e.value.params == {"n": 2}
    assert services.paper_counts(rnd) == (2, 2)
    with refused("already_voted"):  # no online vote after paper
        services.cast_ballot(actor=voters.users["grouper"], voter=g,
                             marks={s.pk: "qualified" for s in services.ballot_subjects(g)})
    walk_to(rnd, Stage.GRADING, sec)
    assert Ballot.objects.filter(round=rnd, paper=True).count() == 2  # kept through the shake
    t = selectors.tallies(rnd)
    # 赵党员 rated themself 合格 online, one paper ballot 优秀, the other 合格
    assert t[m.pk]["excellent"] == 1 and t[m.pk]["qualified"] == 2 and t[c.pk]["qualified"] == 2


def test_reminders_go_to_those_still_to_act_once_a_day(rnd, voters):
    import time_machine

    from dangjian.notify.models import InboxMessage

    sec = voters.users["secretary"]
    services.write_self_appraisal(actor=voters.users["member"], participant=part(rnd, voters.m_member), text="已写")
    services.remind(actor=sec, round=rnd)
    got = set(InboxMessage.objects.filter(kind="appraisal.self_reminder").values_list("user_id", flat=True))
    assert voters.users["member"].pk not in got and voters.users["grouper"].pk in got
    with refused("already_reminded"):
        services.remind(actor=sec, round=rnd)
    walk_to(rnd, Stage.MUTUAL, sec)
    with refused("wrong_stage"):
        services.remind(actor=sec, round=rnd)
    walk_to(rnd, Stage.ASSESSMENT, sec)
    vote_all(rnd, voters, who=("member", "grouper"))
    with time_machine.travel(dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC), tick=False):
        services.remind(actor=sec, round=rnd)
    got = set(InboxMessage.objects.filter(kind="appraisal.vote_reminder").values_list("user_id", flat=True))
    assert got == {voters.users["secretary"].pk, voters.users["committee"].pk}


def test_correction_reminders_before_and_at_the_end(rnd, voters):
    """DOMAIN §11 "限期改正 ≤1 year with a help plan and end-date reminder": the branch secretary
    is told 30 days before the time limit ends and once it has ended; each reminder once."""
    from dangjian.notify.models import InboxMessage

    sec = voters.users["secretary"]
    case = close_with_unqualified(_to_grading(rnd, voters), voters.m_member, sec)
    today = timezone.localdate()
    until = today + dt.timedelta(days=100)
    services.decide_case(actor=sec, case=case, outcome="correct", note="支部大会决定",
                         correct_until=until, help_plan="结对帮扶")
    assert services.correction_reminders(today) == 0  # 100 days ahead: not yet
    assert services.correction_reminders(until - dt.timedelta(days=30)) == 1
    assert services.correction_reminders(until - dt.timedelta(days=29)) == 0  # once
    assert services.correction_reminders(until) == 1
    assert services.correction_reminders(until + dt.timedelta(days=1)) == 0
    kinds = list(InboxMessage.objects.filter(user=sec, kind__startswith="appraisal.correction").values_list("kind", flat=True))
    assert sorted(kinds) == ["appraisal.correction_due", "appraisal.correction_ended"]
