"""The append-only, hash-chained audit log (SECURITY.md "Audit log").

Every change to organizations, members and roles, every reveal of sensitive data and every
export calls :func:`record` inside the same transaction as the change: if the audit row cannot
be written, the audited action fails with it.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64
current_ip: contextvars.ContextVar[str] = contextvars.ContextVar("current_ip", default="")


def _normalize(data: dict) -> dict:
    return json.loads(json.dumps(data or {}, default=str, ensure_ascii=False))


def canonical(ev: AuditEvent) -> str:
    """The exact bytes that are hashed for one row (stable across SQLite and PostgreSQL)."""
    body = {
        "seq": ev.seq,
        "at": ev.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": ev.actor_id,
        "actor_name": ev.actor_name,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "org_path": ev.org_path,
        "ip": ev.ip,
        "data": ev.data,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, ev: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical(ev)).encode()).hexdigest()


def record(*, actor, action: str, obj=None, object_type: str = "", object_id: str | int = "", org_path: str = "", data: dict | None = None) -> AuditEvent:
    """Append one audit row; must run inside the caller's transaction (it opens one if not)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        org_path = org_path or getattr(obj, "org_path", "") or getattr(obj, "path", "")
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditHead.objects.get_or_create(pk=1)
            head = AuditHead.objects.select_for_update().get(pk=1)
        ev = AuditEvent(
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=getattr(actor, "username", "") or "system",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            org_path=org_path,
            ip=current_ip.get(),
            data=_normalize(data or {}),
            prev_hash=head.hash,
        )
        ev.hash = chain_hash(head.hash, ev)
        ev.save()
        AuditHead.objects.filter(pk=1).update(seq=ev.seq, hash=ev.hash)
    return ev


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def verify(batch: int = 5000) -> VerifyResult:
    """Recompute the chain; report the first row whose content, link or position is wrong."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    qs = AuditEvent.objects.order_by("seq")
    while True:
        rows = list(qs.filter(seq__gte=expected_seq)[:batch])
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, "row missing (deleted)")
            if ev.prev_hash != prev:
                return VerifyResult(False, checked, ev.seq, "link to previous row broken")
            if chain_hash(prev, ev) != ev.hash:
                return VerifyResult(False, checked, ev.seq, "row content changed")
            prev = ev.hash
            expected_seq += 1
            checked += 1
            last_seq = ev.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.seq != last_seq or (last_seq and head.hash != prev)):
        return VerifyResult(False, checked, last_seq + 1, "rows missing at the end of the chain")
    return VerifyResult(True, checked)
