"""Dues rows of the one POLICY table (dangjian.core.policy) and the scoped dues models.

``dues``:

* view             — staff of the organization and above; a member sees their own bills and receipts;
* record           — record payments, generate bills, record a review-case decision (branch officers);
* configure        — set a member's dues profile (base, category), request a hardship reduction;
* approve_hardship — the next-higher Party committee approves reduced/exempt dues (art. 7):
                     an organization department strictly above the member's branch;
* export           — the Excel export of a month.
"""
from dangjian.core.models import Role as R
from dangjian.core.policy import DESCENDANTS, SELF, SUBTREE, extend

extend({
    "dues": {
        "view": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE, R.MEMBER: SELF},
        "record": {R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE},
        "configure": {R.SECRETARY: SUBTREE, R.ORG_ADMIN: SUBTREE},
        "approve_hardship": {R.ORG_ADMIN: DESCENDANTS},
        "export": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
    },
})

