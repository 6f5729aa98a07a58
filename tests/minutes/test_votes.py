"""Votes inside a record: quorum and counts of DOMAIN §1.2 / §11 "Votes & elections"
(支部工作条例 art. 11; 发展党员工作细则 art. 22), checked by minutes/quorum.py."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from dangjian.core.errors import REFUSAL_HEADER, codes
from dangjian.minutes import quorum, services
from dangjian.minutes.models import Vote

from .conftest import make_meeting


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def vote(world, record, **counts):
    data = {"motion": "接收张三为预备党员", "kind": "ordinary", "voters_total": 4, "voters_present": 3,
            "yes": 3, "no": 0, "abstain": 0, **counts}
    return services.add_vote(actor=world.users["secretary"], record=record, data=data)


@pytest.fixture
def big(world):
    """A general meeting where 4 full members and the probationary member are invited."""
    from dangjian.members import services as ms
    from dangjian.orglife.models import Attendance
    from tests.factories import member_data

    m = make_meeting(world)
    extra = ms.create_member(actor=None, org=world.b1, data=member_data(name="周党员"))
    Attendance.objects.create(meeting=m, member=extra, org_path=m.org_path, status="present")
    return services.start_record(actor=world.users["secretary"], meeting=m)


def test_defaults_count_full_members_only(world, big):
    # secretary, committee, member, 周党员 are full; 钱预备 (probationary) has no vote
    assert services.vote_defaults(big.meeting) == {"voters_total": 4, "voters_present": 3}


def test_members_under_party_probation_have_no_vote(world, big):
    """党章 art. 40: no vote during 留党察看 — on the meeting day; an ended restriction restores it."""
    import datetime as dt

    from django.utils import timezone

    from dangjian.members import services as ms

    day = timezone.localtime(big.meeting.starts_at).date()
    ms.add_restriction(actor=None, member=world.m_member, kind="probation", starts_on=day - dt.timedelta(days=400))
    ms.add_restriction(actor=None, member=world.m_committee, kind="probation", starts_on=day - dt.timedelta(days=800),
                       ends_on=day - dt.timedelta(days=1))
    # 赵党员 (on leave) no longer counts in 应到; 王委员's restriction ended the day before
    assert services.vote_defaults(big.meeting) == {"voters_total": 3, "voters_present": 3}


def test_probationary_members_are_not_voters(world, big):
    with pytest.raises(ValidationError) as exc:
        vote(world, big, voters_total=5, voters_present=4, yes=4)
    assert codes(exc.value) == ["wrong_voters_total"] and exc.value.error_dict["voters_total"][0].params == {"n": 4}
    assert not Vote.objects.exists()


def test_voters_who_should_attend_cannot_be_typed_lower(world, big):
    """A smaller 应到 would make the quorum and the majority easier: 3 present of 4 voters is a
    quorum either way, but 2 yes of 3 would pass where 2 of 4 does not."""
    with pytest.raises(ValidationError) as exc:
        vote(world, big, voters_total=3, voters_present=3, yes=2, no=1)
    assert codes(exc.value) == ["wrong_voters_total"] and exc.value.error_dict["voters_total"][0].params == {"n": 4}
    assert not Vote.objects.exists()


@pytest.mark.parametrize("present", [2, 1])
def test_no_quorum_when_present_not_more_than_half(world, big, present):
    with pytest.raises(ValidationError) as exc:
        vote(world, big, voters_present=present, yes=present)
    assert exc.value.code == "no_quorum"
    assert not Vote.objects.exists()


def test_yes_must_exceed_half_of_should_attend_not_of_present(world, big):
    v = vote(world, big, voters_present=3, yes=2, no=1)  # 2 of 3 present, but not > half of 4
    assert v.passed is False and v.result_code == "not_enough_yes"
    v = vote(world, big, voters_present=3, yes=3)
    assert v.passed is True and v.result_code == "ok"


@pytest.mark.parametrize("counts", [
    {"yes": 3, "no": 1},                     # more ballots than voters present
    {"voters_present": 5, "yes": 3},         # more present than should attend
    {"kind": "admission", "candidate": "张三", "written_total": 2, "written_yes": 2},  # 3 present + 2 written > 4
    {"kind": "admission", "candidate": "张三", "voters_present": 3, "written_total": 1, "written_yes": 2},
])
def test_inconsistent_counts_refused(world, big, counts):
    with pytest.raises(ValidationError) as exc:
        vote(world, big, **counts)
    assert exc.value.code == "counts_inconsistent"
    assert not Vote.objects.exists()


def test_written_opinions_count_for_admission(world, big):
    # 3 present, 1 absent voter gave a written yes: 2 yes present + 1 written = 3 > 4/2
    v = vote(world, big, kind="admission", candidate="张三", voters_present=3, yes=2, no=1, written_total=1, written_yes=1)
    assert v.passed
    # without the written opinion it would not pass
    assert not quorum.check_vote(voters_total=4, voters_present=3, yes=2, no=1, abstain=0).passed


def test_written_opinions_only_for_admission_and_conversion(world, big):
    with pytest.raises(ValidationError) as exc:
        vote(world, big, written_total=1, written_yes=1)
    assert "written_total" in exc.value.message_dict and codes(exc.value) == ["written_not_allowed"]


def test_one_candidate_per_admission_vote(world, big):
    with pytest.raises(ValidationError) as exc:
        vote(world, big, kind="conversion", candidate="")
    assert "candidate" in exc.value.message_dict and codes(exc.value) == ["no_candidate"]


def test_meeting_without_voting_takes_no_votes(world):
    m = make_meeting(world, code="committee_meeting")
    r = services.start_record(actor=world.users["secretary"], meeting=m)
    with pytest.raises(ValidationError) as exc:
        vote(world, r)
    assert exc.value.code == "no_voting"


def test_vote_form_shows_refusal_and_writes_nothing(world, big, login):
    c = login(world.users["secretary"])
    url = reverse("minutes-vote-add", kwargs={"pk": big.pk})
    r = c.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and b'value="4"' in r.content  # default 应到 voters
    r = c.post(url, {"kind": "ordinary", "motion": "m", "voters_total": 4, "voters_present": 2, "yes": 2, "no": 0,
                     "abstain": 0, "written_total": 0, "written_yes": 0}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and b'data-testid="form-errors"' in r.content and r[REFUSAL_HEADER] == "no_quorum"
    assert not Vote.objects.exists()
    r = c.post(url, {"kind": "ordinary", "motion": "m", "voters_total": 4, "voters_present": 3, "yes": 3, "no": 0,
                     "abstain": 0, "written_total": 0, "written_yes": 0})
    assert r.status_code == 302 and Vote.objects.get().passed
    page = c.get(reverse("minutes-record", kwargs={"pk": big.pk}), HTTP_ACCEPT_LANGUAGE="en")
    assert b"passed" in page.content


def test_vote_delete_on_draft_only(world, big, login):
    v = vote(world, big)
    c = login(world.users["committee"])
    assert c.post(reverse("minutes-vote-delete", kwargs={"pk": v.pk})).status_code == 302
    assert not Vote.objects.exists()
