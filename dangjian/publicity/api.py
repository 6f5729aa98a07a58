"""The contract other apps code against (development, dues, supervision generate notices).

    from dangjian.publicity.api import create_notice
    notice = create_notice(org=branch, board="development", title=..., body=..., actor=user,
                           source=f"development:{case.pk}:object", publish=False)

``board``: "party" (党务), "village" (村务), "finance" (财务), "development" (发展党员公示),
"dues" (党费公示), "supervision" (督查通报).

* ``publish=False`` → a draft the branch secretary reviews and publishes;
* ``publish=True`` and ``actor`` may approve (POLICY ``publicity.approve``: the branch secretary or
  an org admin above) → published at once; otherwise (incl. ``actor=None``, the system) →
  submitted for approval (pending).
* ``source`` identifies the generating record; calling again with the same org + board + source
  updates the unpublished draft (no duplicate) or adds a revision of the published notice.
* ``attachments``: UploadedFile objects or ``(name, bytes)`` pairs (pdf, jpeg/png/gif/webp, xlsx).

* ``public_phones``: the caller confirms that the mobile numbers in the text are public contact
  numbers (a service hotline); stored with the version and audited.

Raises ``ValidationError`` (bad board / text / files) or ``PermissionDenied`` (an actor without
``publicity.draft`` on the org). Never put ID numbers, phones or addresses in a notice
(DOMAIN §10): the board is public. Rule P6 enforces it: a valid resident ID number in the title
or text is always refused, a mainland mobile number unless ``public_phones=True`` — the error is
keyed ``title`` / ``body`` and shows the number masked (``3707**************``, ``138****5678``).
"""
from __future__ import annotations

from .files import clean_attachment
from .models import Board, Notice, NoticeStatus, NoticeVersion  # noqa: F401  (re-exported)
from .services import approve_notice
from .services import create_notice as _create_notice

BOARDS = tuple(Board.values)


def create_notice(*, org, board: str, title: str, body: str, actor, source: str = "", publish: bool = False,
                  attachments=(), public_phones: bool = False) -> Notice:
    return _create_notice(org=org, board=board, title=title, body=body, actor=actor, source=source,
                          publish=publish, attachments=attachments, public_phones=public_phones)


def notices_for_source(source: str):
    """Notices generated from a record (any status), newest first — e.g. to link back."""
    return Notice.objects.filter(source=source).order_by("-id")


__all__ = [
    "approve_notice",
    "Board",
    "BOARDS",
    "clean_attachment",
    "create_notice",
    "Notice",
    "notices_for_source",
    "NoticeStatus",
    "NoticeVersion",
]
