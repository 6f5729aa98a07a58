"""Rules of the democratic appraisal of members (民主评议党员) — DOMAIN §6 and §11 "Democratic
appraisal"; rule version: ``conf.RULE_VERSION``. One submodule per aggregate (issue 9 item 5):

* :mod:`.rounds` — the round: open, stages, grades and the 优秀 share, close, meeting, reminders;
* :mod:`.participation` — the self-appraisal and the mutual appraisal's comments;
* :mod:`.ballots` — the anonymous assessment ballots, online and paper, and the ballot box;
* :mod:`.cases` — the disposition of a member graded 不合格 and the 限期改正 reminders;
* :mod:`._common` — the actor, the locked round and the stage rule they share.

Plain functions, keyword-only, actor first; each runs in one transaction, writes an audit row and
raises ``ValidationError`` with a message the user can act on. Permission (who may call which
function on which organization) is the POLICY table's: the views load through the scope and each
function asserts its actor first (``policy.authorize``, decisions.md 38); the rules after that
are the domain's: stage order, who takes part and votes, one ballot each, the 优秀 share.
The names below are the ones used from outside the package (views, forms, selectors, tasks, the
demo, tests); a test that patches a function patches it in the submodule that looks it up.
"""
from .ballots import (
    _store_ballot,
    ballot_subjects,
    cast_ballot,
    enter_paper_ballot,
    has_voted,
    mark_paper_voters,
    paper_counts,
    shuffle_ballots,
)
from .cases import CORRECTION_REMINDER_DAYS, correction_reminders, decide_case
from .participation import comment_subjects, write_comment, write_comments, write_self_appraisal
from .rounds import (
    ROUND_KINDS,
    advance,
    appraisal_meetings,
    close_round,
    excellent_limit,
    link_meeting,
    members_in,
    open_round,
    remind,
    set_grades,
)

__all__ = [
    "CORRECTION_REMINDER_DAYS",
    "ROUND_KINDS",
    "_store_ballot",
    "advance",
    "appraisal_meetings",
    "ballot_subjects",
    "cast_ballot",
    "close_round",
    "comment_subjects",
    "correction_reminders",
    "decide_case",
    "enter_paper_ballot",
    "excellent_limit",
    "has_voted",
    "link_meeting",
    "mark_paper_voters",
    "members_in",
    "open_round",
    "paper_counts",
    "remind",
    "set_grades",
    "shuffle_ballots",
    "write_comment",
    "write_comments",
    "write_self_appraisal",
]
