"""The pure quorum functions of DOMAIN §1.2 (integers only: "more than half" of 7 is 4, of 8 is 5)."""
from __future__ import annotations

import pytest

from dangjian.minutes.quorum import check_vote, elected, election_valid, min_candidates, more_than_four_fifths, more_than_half


@pytest.mark.parametrize("part,whole,ok", [(4, 7, True), (3, 7, False), (5, 8, True), (4, 8, False), (1, 1, True), (0, 0, False)])
def test_more_than_half(part, whole, ok):
    assert more_than_half(part, whole) is ok


@pytest.mark.parametrize("part,whole,ok", [(9, 10, True), (8, 10, False), (5, 6, True), (4, 5, False)])
def test_more_than_four_fifths(part, whole, ok):
    assert more_than_four_fifths(part, whole) is ok


@pytest.mark.parametrize("kw,code,passed", [
    (dict(voters_total=8, voters_present=4, yes=4, no=0, abstain=0), "no_quorum", False),       # 4 of 8 is not > half
    (dict(voters_total=8, voters_present=5, yes=4, no=1, abstain=0), "not_enough_yes", False),  # yes 4 of 应到 8
    (dict(voters_total=8, voters_present=5, yes=5, no=0, abstain=0), "ok", True),
    (dict(voters_total=8, voters_present=5, yes=4, no=1, abstain=0, written_yes=1, written_total=1), "ok", True),
    (dict(voters_total=8, voters_present=5, yes=4, no=1, abstain=0, written_yes=1, written_total=4), "counts_inconsistent", False),
    (dict(voters_total=8, voters_present=5, yes=4, no=1, abstain=1), "counts_inconsistent", False),
    (dict(voters_total=8, voters_present=9, yes=5, no=0, abstain=0), "counts_inconsistent", False),
    (dict(voters_total=8, voters_present=5, yes=-1, no=0, abstain=0), "counts_inconsistent", False),
    (dict(voters_total=0, voters_present=0, yes=0, no=0, abstain=0), "no_quorum", False),
])
def test_check_vote(kw, code, passed):
    r = check_vote(**kw)
    assert (r.code, r.passed) == (code, passed)


def test_election_rules():
    assert election_valid(entitled=10, present=9) and not election_valid(entitled=10, present=8)
    assert not election_valid(entitled=0, present=0) and not election_valid(entitled=5, present=6)
    assert elected(yes=6, entitled=10, present=9) and not elected(yes=5, entitled=10, present=9)
    assert elected(yes=5, entitled=10, present=9, base="present")
    assert [min_candidates(s) for s in (1, 3, 5, 7, 10)] == [2, 4, 6, 9, 12]
