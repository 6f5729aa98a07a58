"""This app's rows of the one POLICY table (dangjian.core.policy) and its scoped resources.

* ``transfer`` — the sending side (rows scoped by ``from_path``); a member sees and may ask for
  their own transfer (SELF).
* ``transfer_in`` — the receiving side (the ``IncomingTransfer`` proxy, scoped by ``to_path``).
* ``flowing`` — flowing / lost-contact registers, contact logs and membership cases.
* ``flowing_in`` — the inflow side of a flowing member (the ``InflowRecord`` proxy, scoped by
  ``inflow_path``): the inflow organization's secretary and admins see the entries naming their
  organization (教育管理条例 art. 32) and nothing else of the member.
"""
from dangjian.core.models import Role as R
from dangjian.core.policy import SELF, SUBTREE, extend

extend({
    "transfer": {
        "view": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE, R.MEMBER: SELF},
        "ask": {R.MEMBER: SELF},
        "request": {R.SECRETARY: SUBTREE, R.ORG_ADMIN: SUBTREE},
        "approve": {R.ORG_ADMIN: SUBTREE},
        "print": {R.SECRETARY: SUBTREE, R.ORG_ADMIN: SUBTREE},
    },
    "transfer_in": {
        "view": {R.SECRETARY: SUBTREE, R.ORG_ADMIN: SUBTREE, R.COMMITTEE: SUBTREE},
        "accept": {R.SECRETARY: SUBTREE, R.ORG_ADMIN: SUBTREE},
    },
    "flowing": {
        "view": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE},
        "manage": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
    },
    "flowing_in": {
        "view": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
        # art. 9 of the dues rules: the inflow organization may collect a certificate holder's dues
        "collect_dues": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
    },
})

