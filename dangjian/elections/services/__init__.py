"""Elections and terms — DOMAIN §1.2 "Quorum and voting", §2 "Terms", §11 "Structure & terms"
and "Votes & elections" (rule version ``conf.RULE_VERSION``). One submodule per aggregate:

* :mod:`.terms` — terms of office: length, end, state, postponement / advance, the reminders;
* :mod:`.committee` — the elected committee: findings, size, officers' Party standing, the upper
  organization's approval of officers and filing of members;
* :mod:`.voting` — election meetings: voting rights, the meeting record, the result;
* ``_common`` — helpers the submodules share.

Re-exported here: every name the app and the tests use from ``elections.services`` (``cfg`` is
``elections.conf.cfg``).
"""
from ..conf import cfg
from .committee import approve_officer, committee_findings, committee_size_findings, file_committee, standing_problem, unfiled_seats
from .terms import current_term, decide_adjustment, regular_end, request_adjustment, run_daily, term_length, term_state
from .voting import create_election, entitled_voters, record_result

__all__ = [
    "approve_officer",
    "cfg",
    "committee_findings",
    "committee_size_findings",
    "create_election",
    "current_term",
    "decide_adjustment",
    "entitled_voters",
    "file_committee",
    "record_result",
    "regular_end",
    "request_adjustment",
    "run_daily",
    "standing_problem",
    "term_length",
    "term_state",
    "unfiled_seats",
]
