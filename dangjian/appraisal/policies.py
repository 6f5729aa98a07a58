"""Democratic appraisal's rows of the one POLICY table (dangjian.core.policy).

* ``appraisal`` — rounds: the branch staff and the org admins above manage (SUBTREE); a member
  sees their own branch's round page (OWN: stage, participants, no grades, no tallies).
  ``result`` (grades, tallies, printable result) and ``overview`` (branches of a town/county)
  are for the staff only.
* ``appraisal_entry`` — a participant's own part: the member themself (SELF) writes their
  self-appraisal, comments on others and votes; the staff read it and may record the
  self-appraisal on the member's behalf (``write``), never vote for them (``take_part`` is SELF
  for every role).
* ``appraisal_case`` — disposition cases after a 不合格 grade: staff only.
"""
from dangjian.core.models import Role as R
from dangjian.core.policy import OWN, SELF, SUBTREE, extend

STAFF = {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE}

extend({
    "appraisal": {
        "view": {**STAFF, R.MEMBER: OWN},
        "manage": dict(STAFF),
        "result": dict(STAFF),
        "overview": dict(STAFF),
    },
    "appraisal_entry": {
        "view": {**STAFF, R.MEMBER: SELF},
        "write": {**STAFF, R.MEMBER: SELF},
        "take_part": {R.ORG_ADMIN: SELF, R.SECRETARY: SELF, R.COMMITTEE: SELF, R.MEMBER: SELF},
    },
    "appraisal_case": {
        "view": dict(STAFF),
        "decide": dict(STAFF),
    },
})

