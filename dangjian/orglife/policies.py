"""Org life's rows of the one POLICY table (dangjian.core.policy), shared with ``minutes``.

``meeting`` — a meeting and everything hanging off it (attendance, leave, minutes):

* view      — staff of the organization and above; a member sees their own branch's meetings;
* plan      — plan / edit / cancel a meeting, send its notice;
* manage    — open and close sign-in, show the rotating QR code, roll call, approve leave,
              mark members exempt (教育管理条例 art. 23);
* sign_in   — sign oneself in / ask for leave (the service checks the user is an invited member);
* record    — draft the minutes (会议记录), attach photos and files;
* sign_off  — sign the minutes as host or recorder (the service checks who; a member may be either);
* print     — the printable record (PDF).

``meeting_type`` — the county's custom meeting types (built-in types are national).

Added by org life (never changing the rows above):

* ``attendance`` — one member's row at one meeting: staff of the organization see and manage
  it; the member themself (SELF) sees it and may ask for leave from it (``ask_leave``);
* ``exemption`` — members exempt by rule (教育管理条例 art. 23), marked by branch staff; the
  note is health-related, so members do not see others' exemptions;
* ``heart_talk`` — heart-to-heart talks (谈心谈话): who, when, subject; branch staff only;
* ``signin_device`` — sign-in terminals and their keys, managed by the secretary / org admin.
"""
from dangjian.core.models import Role as R
from dangjian.core.policy import OWN, SELF, SUBTREE, extend

STAFF = {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE}
BRANCH_STAFF = {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE}

extend({
    "meeting": {
        "view": {**STAFF, R.MEMBER: OWN},
        "plan": dict(BRANCH_STAFF),
        "manage": dict(BRANCH_STAFF),
        "sign_in": {R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE, R.MEMBER: OWN},
        "record": {R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE},
        # a host or recorder may be an ordinary member: the service checks who signs
        "sign_off": {R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE, R.MEMBER: OWN},
        "print": {**STAFF, R.AUDIT_ADMIN: SUBTREE},
    },
    "meeting_type": {
        "view": dict(STAFF),
        "configure": {R.ORG_ADMIN: SUBTREE},
    },
})

extend({
    "attendance": {
        "view": {**STAFF, R.MEMBER: SELF},
        "ask_leave": {R.SECRETARY: SELF, R.COMMITTEE: SELF, R.MEMBER: SELF},
        "manage": dict(BRANCH_STAFF),
    },
    "exemption": {
        "view": dict(STAFF),
        "manage": dict(BRANCH_STAFF),
    },
    # 谈心谈话: who talked with whom and when (never the content); branch staff only
    "heart_talk": {
        "view": dict(STAFF),
        "manage": dict(BRANCH_STAFF),
    },
    "signin_device": {
        "view": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
        "manage": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE},
    },
})

