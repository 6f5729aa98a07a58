"""This app's rows of the one POLICY table (dangjian.core.policy) and its scoped resources.

* view     — branch secretaries/committee members and organization departments see the cases of
             their subtree;
* manage   — they (and the org department) enter the branch's steps;
* approve  — only the **upper** Party committee (ORG_ADMIN strictly above the branch) enters the
             steps whose responsible body is the upper committee (filing, pre-review, talk,
             approval; DOMAIN §4.1) and the extension of probation;
* reveal   — ID number / phone in clear (audited);
* calendar — the local working-day table.
"""
from dangjian.core.models import Role as R
from dangjian.core.policy import DESCENDANTS, SUBTREE, extend

extend({
    "development": {
        "view": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE},
        "manage": {R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE, R.ORG_ADMIN: SUBTREE},
        "approve": {R.ORG_ADMIN: DESCENDANTS},
        "reveal": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
        "calendar": {R.ORG_ADMIN: SUBTREE},
    },
})
