"""This app's scoped resources. Minutes use orglife's ``meeting`` resource (declared in
dangjian/orglife/policies.py: view / record / sign_off / print), so a record, its votes and its
attachments are reachable exactly where their meeting is.

Inside that reach, ``minutes.read_all`` says who reads *every* record — drafts, 支委会 records,
every absentee's reason, every attachment: the organization's staff. Anybody else who reaches
the meeting (a plain member of the branch) reads only what the branch publishes to them
(issue 10 item 7; PIPL art. 28: health reasons such as "因病请假" are sensitive personal
information): the current signed version of a meeting they were invited to, never a 支委会 record
unless they hold a committee position, and with the reasons of the other absentees left out —
their own reason stays. The host or recorder of a record also reads it (they sign it).
``minutes.selectors.readable`` applies this; no record is registered under ``minutes``.
"""
from dangjian.core.models import Role as R
from dangjian.core.policy import SUBTREE, extend

extend({
    "minutes": {
        "read_all": {R.ORG_ADMIN: SUBTREE, R.SECRETARY: SUBTREE, R.COMMITTEE: SUBTREE},
    },
})

