"""Publicity's rows of the one POLICY table (dangjian.core.policy) and its scoped resources.

``publicity`` — notices of the three-affairs boards (三务公开), staff side (the public side is
``@public`` and shows only published versions):

* view    — board management of an organization and below;
* draft   — write / edit / submit a notice (secretary, committee, org admin);
* approve — approve, return, publish, withdraw (the branch secretary, or an org admin above).

``honour`` — the honour roll (时代先锋):

* view    — the staff list of the org admin's subtree;
* select  — name an excellent branch / member **strictly below** one's own organization
            (selected by the superior: a town admin selects its branches, not the town itself).
"""
from dangjian.core.models import Role as R
from dangjian.core.policy import DESCENDANTS, SUBTREE, extend

extend({
    "publicity": {
        "view": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE},
        "draft": {R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE, R.ORG_ADMIN: SUBTREE},
        "approve": {R.SECRETARY: SUBTREE, R.ORG_ADMIN: SUBTREE},
    },
    "honour": {
        "view": {R.ORG_ADMIN: SUBTREE},
        "select": {R.ORG_ADMIN: DESCENDANTS},
    },
})

