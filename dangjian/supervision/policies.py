"""Supervision's rows of the one POLICY table (dangjian.core.policy).

``supervision`` — completion status, supervision lists and bulletins of an organization's subtree:

* view    — the completion calendar, the aggregate, the supervision lists, bulletins;
* publish — generate (publish) a bulletin now (the monthly job does it without a user);
* export  — a bulletin as Excel or PDF.

Members have no row: a superior's supervision is not a member's page (a member sees their own
attendance on their member page, built by org life).
"""
from dangjian.core.models import Role as R
from dangjian.core.policy import SUBTREE, extend

extend({
    "supervision": {
        "view": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE},
        "publish": {R.ORG_ADMIN: SUBTREE},
        "export": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
    },
})

