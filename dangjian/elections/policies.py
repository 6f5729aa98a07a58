"""This app's rows of the one POLICY table (dangjian.core.policy) and its scoped resources."""
from dangjian.core.models import Role as R
from dangjian.core.policy import DESCENDANTS, SUBTREE, extend

extend({
    "election": {
        "view": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE},
        "manage": {R.SECRETARY: SUBTREE, R.ORG_ADMIN: SUBTREE},
        "approve": {R.ORG_ADMIN: DESCENDANTS},
    },
})

