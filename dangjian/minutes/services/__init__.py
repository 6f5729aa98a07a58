"""Business rules of meeting records (会议记录). Every function runs in one transaction, writes one
audit row per state change and raises ``ValidationError`` with a clear message (nothing written).

Rules encoded (DOMAIN.md, rule version ``RULE_VERSION``):

* §1.3 — the fields of a record (organisation part, content part, closing) and host + recorder
  signatures;
* §11 "三会一课 & org life" — [block] closing a record without type, date/time, place, host,
  recorder, 应到/实到, absentees with reasons, agenda, decisions; [warn] no sign-in sheet/photo;
  records become append-only after sign-off (hash chain); a correction is a new version;
* §1.2 and §11 "Votes & elections" — via the pure functions of ``quorum.py``: no vote when present
  voters ≤ ½; passes only with yes > ½ of 应到 voting full members; written opinions of absent
  voters counted in admission/conversion votes; one candidate per vote; probationary members
  have no vote.

Submodules, one per aggregate (callers import from ``services`` itself, which re-exports them):

* ``drafting`` — open and edit a draft record;
* ``votes`` — the votes of a 支部党员大会;
* ``attachments`` — photos and files of a draft, checked by content;
* ``closing`` — required fields, warnings, the host's and recorder's signatures;
* ``chain`` — the canonical text, the hash chain and its verification;
* ``corrections`` — a signed record corrected by a new version;
* ``_common`` — the rule version, the draft lock, the attendance snapshot, clearing signatures.

Tunable constants (the upload limits ``MAX_*``, ``OOXML``, ``ABSENT_STATUSES``, ``VOTE_MESSAGES``)
are not re-exported: they are read in their submodule, so a test that changes one patches it there
(``services.attachments.MAX_FILE_BYTES``).
"""
from ._common import RULE_VERSION, attendance_snapshot
from .attachments import add_attachment, delete_attachment, validate_upload
from .chain import ChainResult, canonical, record_hash, verify_chain
from .closing import missing_for_closing, sign, warnings_for
from .corrections import correct
from .drafting import EDITABLE_FIELDS, signer_choices, start_record, update_record
from .votes import add_vote, delete_vote, vote_defaults

__all__ = [
    "add_attachment",
    "add_vote",
    "attendance_snapshot",
    "canonical",
    "ChainResult",
    "correct",
    "delete_attachment",
    "delete_vote",
    "EDITABLE_FIELDS",
    "missing_for_closing",
    "record_hash",
    "RULE_VERSION",
    "sign",
    "signer_choices",
    "start_record",
    "update_record",
    "validate_upload",
    "verify_chain",
    "vote_defaults",
    "warnings_for",
]
