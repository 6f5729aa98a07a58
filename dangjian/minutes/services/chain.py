"""The hash chain of signed records (DOMAIN §11 "records become append-only after sign-off (hash
chain)"): the canonical text of a record, its hash chained to the organization's previous signed
record, and the verification of an organization's chain."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.models import Organization

from ..models import GENESIS, Attachment, MeetingRecord, RecordStatus, Vote


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(record: MeetingRecord, votes=None, attachments=None) -> str:
    """The exact text hashed for a signed record: content, votes, attachments, signatures. The
    record is identified by (meeting, version), unique, so the hash can be computed before the
    row exists. (``votes``/``attachments``: the record's rows in id order, when the caller has them.)"""
    body = {
        "meeting": record.meeting_id, "org": record.org_id, "version": record.version,
        "previous": record.previous_id, "chain_seq": record.chain_seq,
        # a correction also binds the hash of the version it corrects
        "previous_hash": record.previous.content_hash if record.previous_id else None,
        "meeting_name": record.meeting_name, "type_name": record.type_name, "session_label": record.session_label,
        "starts_at": _iso(record.starts_at), "ends_at": _iso(record.ends_at), "place": record.place,
        "host": record.host_id, "host_name": record.host_name, "recorder": record.recorder_id,
        "recorder_name": record.recorder_name, "should_attend": record.should_attend, "attended": record.attended,
        "present_names": record.present_names, "absentees": record.absentees, "sitting_in": record.sitting_in,
        "agenda": record.agenda, "speeches": record.speeches, "decisions": record.decisions,
        "open_items": record.open_items, "summary": record.summary, "correction_reason": record.correction_reason,
        "host_signed_at": _iso(record.host_signed_at), "host_signed_by": record.host_signed_by_id,
        "recorder_signed_at": _iso(record.recorder_signed_at), "recorder_signed_by": record.recorder_signed_by_id,
        "signed_at": _iso(record.signed_at),
        "votes": [
            [v.motion, v.kind, v.candidate, v.voters_total, v.voters_present, v.yes, v.no, v.abstain,
             v.written_yes, v.written_total, v.passed]
            for v in (votes if votes is not None else Vote.objects.filter(record_id=record.pk).order_by("id"))
        ],
        "attachments": [
            [a.kind, a.title, a.original_name, a.content_type, a.size, a.sha256]
            for a in (attachments if attachments is not None else Attachment.objects.filter(record_id=record.pk).order_by("id"))
        ],
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def record_hash(prev_hash: str, record: MeetingRecord, votes=None, attachments=None) -> str:
    return hashlib.sha256((prev_hash + canonical(record, votes, attachments)).encode()).hexdigest()


@dataclass
class ChainResult:
    ok: bool
    checked: int
    broken: MeetingRecord | None = None
    reason: str = ""
    head: str = GENESIS


def verify_chain(org: Organization, *, actor=None) -> ChainResult:
    """Recompute the hash chain of an organization's signed records (DOMAIN §11 "records become
    append-only after sign-off (hash chain)") and report the first broken link."""
    policy.authorize(actor, "meeting", "print", org)
    expected_prev, seq, checked = GENESIS, 0, 0
    rows = MeetingRecord.objects.filter(org=org).filter(Q(chain_seq__isnull=False) | Q(status=RecordStatus.SIGNED))
    result = None
    rows = rows.select_related("previous").prefetch_related(Prefetch("votes", queryset=Vote.objects.order_by("id")),
                                 Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    for rec in rows.order_by("chain_seq", "id").iterator(chunk_size=500):
        seq += 1
        if rec.chain_seq != seq:
            result = ChainResult(False, checked, rec, _("a signed record is missing from the chain, or out of place"))
        elif rec.status != RecordStatus.SIGNED:
            result = ChainResult(False, checked, rec, _("a signed record was turned back into a draft"))
        elif rec.prev_hash != expected_prev:
            result = ChainResult(False, checked, rec, _("the link to the previous record does not match"))
        elif record_hash(rec.prev_hash, rec, list(rec.votes.all()), list(rec.attachments.all())) != rec.content_hash:
            result = ChainResult(False, checked, rec, _("the content was changed after sign-off"))
        if result is not None:
            break
        checked += 1
        expected_prev = rec.content_hash
    result = result or ChainResult(True, checked, None, "", expected_prev)
    if actor is not None:
        audit.record(actor=actor, action="minutes.verify", obj=org,
                     data={"ok": result.ok, "checked": result.checked, "broken": getattr(result.broken, "pk", None)})
    return result
