"""The minutes app (会议记录) seen from outside: the vote and quorum rules other apps apply (elections, development).

Other apps import this module only (import-linter contract ``public-api``)."""
from .quorum import check_vote, elected, election_valid, min_candidates

__all__ = [
    "check_vote",
    "elected",
    "election_valid",
    "min_candidates",
]
