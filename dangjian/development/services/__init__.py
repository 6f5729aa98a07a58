"""State changes of member-development cases (DOMAIN §4, §11 "Member development").

Every function is keyword-only with the actor first, runs in one transaction, checks every
[block] rule **before** writing anything (a refusal leaves nothing behind), audits the change
and raises ``ValidationError`` whose message names the rule id, its article and the rule
version of the case's pack (``rules.cite``). Rule ids are those of :mod:`dangjian.development.rules`.

Who may write (decisions.md 38): every service first asserts its view's POLICY row with
``policy.authorize`` — ``development.manage`` on the case or organization (``approve`` for the
extension and the cancellation of a probation, ``reveal``, ``calendar``) — so an actor outside
the scope gets ``policy.NotPermitted`` (403) before any domain rule. Then the domain rule
``human_conclusion`` (DOMAIN §4.4/§11): organisational conclusions are entered by a signed-in,
active person, never by the system (``actor=None`` is refused here), and a step whose
responsible body is the upper Party committee needs ``development.approve`` on the case
(a form error citing the rule). The daily job only sends reminders.

Submodules, one per aggregate (callers import from ``services`` itself, which re-exports them):

* ``opening`` — the applicant's particulars and opening a case (step 1);
* ``steps`` — recording the next step, its rules, the votes and the side effects on the roll;
* ``publicity`` — the publicities (公示) before a decision, their notice and window;
* ``probation`` — extending a probation once, cancelling the probationary membership;
* ``records`` — assessments, stopping a case, revealing a sensitive field, documents;
* ``local_days`` — the local working-day calendar;
* ``_common`` — the sensitive fields, the refusal citing a rule and ``human_conclusion``.

The modules ``conf``, ``rules`` and ``workdays`` and ``ARCHIVE_DOCUMENTS`` stay reachable as
``services.rules`` etc., as before the split.
"""
from .. import conf, rules, workdays
from ..rules import ARCHIVE_DOCUMENTS
from ._common import SENSITIVE
from .local_days import delete_local_day, set_local_day
from .opening import APPLICANT_FIELDS, clean_applicant, eighteenth_birthday, open_case
from .probation import VOTE_FIELDS, cancel_probation, extend_probation
from .publicity import PUBLICITY_POINTS, notice_text, publication_date, start_publicity
from .records import add_assessment, add_document, reveal_field, stop_case
from .steps import record_step

__all__ = [
    "add_assessment",
    "add_document",
    "APPLICANT_FIELDS",
    "ARCHIVE_DOCUMENTS",
    "cancel_probation",
    "clean_applicant",
    "conf",
    "delete_local_day",
    "eighteenth_birthday",
    "extend_probation",
    "notice_text",
    "open_case",
    "publication_date",
    "PUBLICITY_POINTS",
    "record_step",
    "reveal_field",
    "rules",
    "SENSITIVE",
    "set_local_day",
    "start_publicity",
    "stop_case",
    "VOTE_FIELDS",
    "workdays",
]
