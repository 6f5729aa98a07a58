"""State changes of publicity notices and honour-roll entries, one submodule per aggregate
(issue 9 item 5; the rules P1–P6, H1–H2 are stated in the submodules):

* :mod:`.notices` — a notice and its versions: draft, submit, approve, return, edit, withdraw (P1–P4);
* :mod:`.notice_content` — what a version's text and files may hold: attachments, personal data (P5, P6);
* :mod:`.honours` — the honour roll (时代先锋): select, withdraw (H1, H2; P6 on the citation);
* :mod:`._common` — the rule version and the public pages' cache invalidation they share.

The names below are the ones used from outside the package (``publicity.api``, the views, the
demo, tests); a test that patches a function patches it in the submodule that looks it up.
"""
from ._common import RULE_VERSION
from .honours import honour_member_error, honour_member_refusal, select_honour, withdraw_honour
from .notice_content import BODY_MAX, TITLE_MAX, _add_files, check_personal_data
from .notices import approve_notice, create_notice, edit_notice, reject_notice, submit_notice, withdraw_notice

__all__ = [
    "BODY_MAX",
    "RULE_VERSION",
    "TITLE_MAX",
    "_add_files",
    "approve_notice",
    "check_personal_data",
    "create_notice",
    "edit_notice",
    "honour_member_error",
    "honour_member_refusal",
    "reject_notice",
    "select_honour",
    "submit_notice",
    "withdraw_honour",
    "withdraw_notice",
]
