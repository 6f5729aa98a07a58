"""Aggregate: a participant's own part before the vote — the self-appraisal (自我评议) and the
mutual appraisal's named comments (相互评议).

Rules (DOMAIN §6): the self-appraisal during the self stage, by the member or by the secretary
on their behalf (marked so); comments during the mutual stage, named, optional per pair, one per
author and subject, only by the author themself; exempt members take no part.

Plain functions, keyword-only, actor first; each runs in one transaction, writes an audit row and
raises ``ValidationError`` with a message the user can act on. Permission (who may call which
function on which organization) is the POLICY table's: the views load through the scope and each
function asserts its actor first (``policy.authorize``, decisions.md 38); the rules after that
are the domain's.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy

from ..models import MutualComment, Participant, Stage
from ._common import _locked_round, _require_stage, _uid
from .ballots import ballot_subjects


def write_self_appraisal(*, actor, participant: Participant, text: str) -> Participant:
    """Record a participant's self-appraisal (自我评议, DOMAIN §6) during the self-appraisal stage —
    by the member through their own login, or by the secretary on their behalf (marked so)."""
    policy.authorize(actor, "appraisal_entry", "write", participant)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [ValidationError(_("Write the self-appraisal."), code="no_text")]})
    if len(text) > 3000:
        raise ValidationError({"text": [ValidationError(_("At most 3000 characters."), code="too_long")]})
    with transaction.atomic():
        rnd = _locked_round(participant.round)
        _require_stage(rnd, Stage.SELF)
        if participant.exempt:
            raise ValidationError(_("%(m)s is exempt by rule and is not appraised.") % {"m": participant.name}, code="exempt")
        proxy = participant.member.user_id is None or participant.member.user_id != getattr(actor, "pk", None)
        participant.self_text, participant.self_at, participant.self_by = text, timezone.now(), _uid(actor)
        participant.self_by_proxy = proxy
        participant.save(update_fields=["self_text", "self_at", "self_by", "self_by_proxy"])
        audit.record(actor=actor, action="appraisal.self", obj=participant,
                     data={"round": rnd.pk, "member": participant.member_id, "on_behalf": proxy})
        return participant


def write_comment(*, actor, author: Participant, subject: Participant, text: str) -> MutualComment:
    """Mutual appraisal (相互评议, DOMAIN §6): a short, named comment by one participant about
    another, during the mutual stage; optional per pair, one per author and subject (writing again
    replaces it)."""
    policy.authorize(actor, "appraisal_entry", "take_part", author)
    return _write_comment(actor, author, subject, text)


def _write_comment(actor, author: Participant, subject: Participant, text: str) -> MutualComment:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [ValidationError(_("Write the comment."), code="no_text")]})
    if len(text) > 500:
        raise ValidationError({"text": [ValidationError(_("At most 500 characters."), code="too_long")]})
    if author.round_id != subject.round_id or author.pk == subject.pk:
        raise ValidationError(_("Comment on another participant of the same round."), code="not_a_subject")
    if author.exempt or subject.exempt:
        raise ValidationError(_("Members exempt by rule take no part in the mutual appraisal."), code="exempt")
    with transaction.atomic():
        rnd = _locked_round(author.round)
        _require_stage(rnd, Stage.MUTUAL)
        now = timezone.now()
        c, created = MutualComment.objects.update_or_create(
            author=author, subject=subject,
            defaults={"round": rnd, "org_path": rnd.org_path, "text": text, "updated_at": now},
            create_defaults={"round": rnd, "org_path": rnd.org_path, "text": text, "created_at": now, "updated_at": now})
        audit.record(actor=actor, action="appraisal.comment", obj=c,
                     data={"round": rnd.pk, "author": author.member_id, "subject": subject.member_id, "new": created})
        return c


def comment_subjects(author: Participant):
    """Whom an author may comment on in the mutual appraisal: every other graded participant."""
    return ballot_subjects(author).exclude(pk=author.pk)


def write_comments(*, actor, author: Participant, comments: dict[int, str]) -> int:
    """Save a participant's mutual-appraisal comments at once (empty box: no comment; emptying a
    box withdraws that comment). Only the author themself writes — the comments carry their name."""
    policy.authorize(actor, "appraisal_entry", "take_part", author)
    if author.member.user_id is None or author.member.user_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the member themself writes their comments: they carry their name."), code="not_self")
    subjects = {p.pk: p for p in comment_subjects(author)}
    n = 0
    with transaction.atomic():
        rnd = _locked_round(author.round)
        _require_stage(rnd, Stage.MUTUAL)
        for pid, text in comments.items():
            subject = subjects.get(pid)
            if subject is None:
                raise ValidationError(_("Comment on another participant of the same round."), code="not_a_subject")
            if (text or "").strip():
                _write_comment(actor, author, subject, text)
                n += 1
            else:
                gone, _x = MutualComment.objects.filter(author=author, subject=subject).delete()
                if gone:
                    audit.record(actor=actor, action="appraisal.comment_withdrawn", obj=rnd,
                                 data={"author": author.member_id, "subject": subject.member_id})
    return n
