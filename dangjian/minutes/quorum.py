"""Quorum and vote rules (DOMAIN.md §1.2, §11 "Votes & elections"), as pure functions.

Sources: 《中国共产党支部工作条例（试行）》(2018) art. 11 — a branch general meeting may vote only
if more than half of the members with voting rights are present; a motion passes when yes votes
exceed half of the voting members who *should* attend (应到会有表决权的党员). 《发展党员工作细则》
art. 22 — written opinions of absent voting members, given before the meeting, are counted in
admission / conversion votes. 《中国共产党基层组织选举工作条例》(2020) and the 1990 暂行条例
arts. 19, 29 — an election meeting is valid only if voters present exceed 4/5 of those entitled;
a candidate is elected with yes votes over half (of those entitled — the default, stricter —
or of those present: DOMAIN marks this *conflicting*, so it is a parameter); a competitive slate
has at least 20 % more candidates than seats, rounded up.

All comparisons are in integers ("more than half" of 7 is 4, of 8 is 5): no floating point.
"""
from __future__ import annotations

from dataclasses import dataclass

RULE_VERSION = "支部工作条例(2018) art.11; 发展党员工作细则(2014) art.22; 基层组织选举工作条例(2020)"


def more_than_half(part: int, whole: int) -> bool:
    """part > whole / 2, exactly."""
    return 2 * part > whole


def more_than_four_fifths(part: int, whole: int) -> bool:
    """part > 4/5 × whole, exactly."""
    return 5 * part > 4 * whole


@dataclass(frozen=True)
class VoteCheck:
    valid: bool      # the meeting could vote at all (quorum)
    passed: bool     # the motion carried
    reason: str      # English, for logs; the UI translates by code
    code: str        # "ok", "no_quorum", "not_enough_yes", "counts_inconsistent"


def check_vote(*, voters_total: int, voters_present: int, yes: int, no: int, abstain: int,
               written_yes: int = 0, written_total: int = 0) -> VoteCheck:
    """A vote in a 支部党员大会.

    ``voters_total``: full members with voting rights who should attend (应到; probationary
    members and members under 留党察看 have no vote). ``written_*``: written opinions of absent
    voters (admission/conversion votes only), counted in the tally but not in the quorum.
    """
    if min(voters_total, voters_present, yes, no, abstain, written_yes, written_total) < 0:
        return VoteCheck(False, False, "negative count", "counts_inconsistent")
    if voters_present > voters_total or yes + no + abstain > voters_present or written_yes > written_total \
            or voters_present + written_total > voters_total:
        return VoteCheck(False, False, "counts exceed the voters", "counts_inconsistent")
    if not more_than_half(voters_present, voters_total):
        return VoteCheck(False, False, "present voters are not more than half of the voting members", "no_quorum")
    if not more_than_half(yes + written_yes, voters_total):
        return VoteCheck(True, False, "yes votes are not more than half of the voting members who should attend", "not_enough_yes")
    return VoteCheck(True, True, "passed", "ok")


def election_valid(*, entitled: int, present: int) -> bool:
    """An election meeting is valid only if voters present > 4/5 of those entitled."""
    return 0 <= present <= entitled and entitled > 0 and more_than_four_fifths(present, entitled)


def elected(*, yes: int, entitled: int, present: int, base: str = "entitled") -> bool:
    """A candidate is elected when yes > half of ``entitled`` (default, 应到) or of ``present`` (实到)."""
    return more_than_half(yes, entitled if base == "entitled" else present)


def min_candidates(seats: int) -> int:
    """Competitive slate (差额): candidates ≥ seats × 1.2, rounded up (进一法)."""
    return -(-seats * 6 // 5)
