"""Sending notifications and keeping the inbox (issue 3 "Notifications").

``notify`` is called by code that has already checked its own permission: it resolves the
recipients exactly as asked (it never widens anyone's scope), writes inbox rows and outbox rows
in the caller's transaction, and audits one summary row with counts, never contents.
Phones are never read here: SMS rows carry ``member:<id>``; the outbox worker decrypts the
number at delivery time (SECURITY.md "Field encryption", "Outbox").
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from dangjian.core import audit, config, policy
from dangjian.core import messages as kinds
from dangjian.core.messages import RoleIn, Subtree
from dangjian.core.models import Organization, RoleAssignment
from dangjian.members.api import Member, RecordState

from .models import ALL_KINDS, Delivery, DeliveryStatus, InboxMessage, NotificationPreference

CHANNELS = ("inbox", "sms", "email")
LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def conf() -> dict:
    base = {"quiet_hours": ("22:00", "07:00"), "sms_per_hour": 5, "email_per_hour": 20, "default_language": kinds.DEFAULT_LANGUAGE}
    base.update(config.value("NOTIFY", {}))
    return base


# -- recipients -----------------------------------------------------------------------------

@dataclass
class Recipient:
    user: object | None = None
    member: Member | None = None

    @property
    def ref(self) -> str:
        """The outbox address for SMS: the member record that holds the (encrypted) phone."""
        if self.member is not None:
            return f"member:{self.member.pk}"
        return f"user:{self.user.pk}"


def _org_path(org) -> str:
    if isinstance(org, Organization):
        return org.path
    return Organization.objects.only("path").get(pk=getattr(org, "pk", org)).path


def resolve_recipients(recipients) -> list[Recipient]:
    """Users, members, ``RoleIn(org, role)`` (an active role at exactly that organization) and
    ``Subtree(org, roles)`` (active roles anywhere at or below it, by path prefix), de-duplicated:
    one entry per user, and one per member without a login."""
    if isinstance(recipients, (RoleIn, Subtree, Member)) or hasattr(recipients, "_meta"):
        recipients = [recipients]
    User = get_user_model()
    user_ids: list[int] = []
    member_ids: list[int] = []
    for r in recipients:
        if isinstance(r, RoleIn):
            user_ids += RoleAssignment.objects.filter(
                active=True, role=r.role, org_id=getattr(r.org, "pk", r.org)).values_list("user_id", flat=True)
        elif isinstance(r, Subtree):
            qs = RoleAssignment.objects.filter(active=True, org__path__startswith=_org_path(r.org))
            if r.roles is not None:
                qs = qs.filter(role__in=list(r.roles))
            user_ids += qs.values_list("user_id", flat=True)
        elif isinstance(r, Member):
            member_ids.append(r.pk)
        elif isinstance(r, User):
            user_ids.append(r.pk)
        else:
            raise TypeError(f"notify: cannot send to {type(r).__name__}; use users, members, RoleIn or Subtree")
    out: dict[str, Recipient] = {}
    members = Member.objects.filter(pk__in=set(member_ids), state=RecordState.ACTIVE).only("id", "user_id", "phone_bidx")
    member_of_user: dict[int, Member] = {}
    for m in members:
        if m.user_id:
            user_ids.append(m.user_id)
            member_of_user[m.user_id] = m
        else:
            out[f"member:{m.pk}"] = Recipient(member=m)
    users = User.objects.filter(pk__in=set(user_ids), is_active=True).only("id", "email", "username")
    missing = [u.pk for u in users if u.pk not in member_of_user]
    for m in Member.objects.filter(user_id__in=missing, state=RecordState.ACTIVE).only("id", "user_id", "phone_bidx"):
        member_of_user[m.user_id] = m
    for u in sorted(users, key=lambda u: u.pk):
        out[f"user:{u.pk}"] = Recipient(user=u, member=member_of_user.get(u.pk))
    return list(out.values())


# -- preferences ----------------------------------------------------------------------------

@dataclass
class Prefs:
    inbox: bool = True
    sms: bool = True
    email: bool = True
    quiet: tuple[dt.time, dt.time] | None = None
    language: str = kinds.DEFAULT_LANGUAGE


def _parse_time(v) -> dt.time:
    return v if isinstance(v, dt.time) else dt.time.fromisoformat(str(v))


def default_prefs() -> Prefs:
    c = conf()
    q = c.get("quiet_hours")
    quiet = (_parse_time(q[0]), _parse_time(q[1])) if q else None
    return Prefs(quiet=quiet, language=c["default_language"])


def prefs_for(user_ids: list[int], kind: str) -> dict[int, Prefs]:
    """Each user's effective preferences for ``kind`` (one query for all recipients)."""
    rows = NotificationPreference.objects.filter(user_id__in=user_ids, kind__in=[kind, ALL_KINDS])
    by_user: dict[int, dict[str, NotificationPreference]] = {}
    for row in rows:
        by_user.setdefault(row.user_id, {})[row.kind] = row
    out: dict[int, Prefs] = {}
    for uid in user_ids:
        p = default_prefs()
        got = by_user.get(uid, {})
        for key in (ALL_KINDS, kind):  # the kind's own row wins
            row = got.get(key)
            if row is None:
                continue
            p.inbox, p.sms, p.email = row.inbox, row.sms, row.email
            if row.quiet_start is not None and row.quiet_end is not None:
                p.quiet = (row.quiet_start, row.quiet_end)
            if row.language:
                p.language = row.language
        out[uid] = p
    return out


def quiet_until(now: dt.datetime, quiet: tuple[dt.time, dt.time] | None) -> dt.datetime | None:
    """If ``now`` falls in the quiet hours (local time, may span midnight), their end; else None."""
    if not quiet or quiet[0] == quiet[1]:
        return None
    start, end = quiet
    local = now.astimezone(LOCAL_TZ)
    t = local.time().replace(tzinfo=None)
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=LOCAL_TZ)


def _lock_recipients(keys: list[str]) -> None:
    """Serialize concurrent sends to the same recipient so the hourly limit is exact.

    PostgreSQL: transaction-level advisory locks, taken in sorted order (no deadlocks).
    SQLite needs nothing: its writers are already serialized (IMMEDIATE transactions).
    """
    if connection.vendor != "postgresql" or not keys:
        return
    with connection.cursor() as cur:
        for key in keys:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _over_limit(channel: str, ref: str, at: dt.datetime) -> bool:
    limit = conf().get(f"{channel}_per_hour")
    if not limit:
        return False
    sent = Delivery.objects.filter(
        channel=channel, recipient=ref, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED],
        send_after__gt=at - dt.timedelta(hours=1), send_after__lte=at,
    ).count()
    return sent >= limit


# -- notify ---------------------------------------------------------------------------------

@dataclass
class Summary:
    inbox: int = 0
    queued: dict[str, int] = field(default_factory=dict)
    deferred: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, dict[str, int]] = field(default_factory=dict)

    def skip(self, channel: str, reason: str) -> None:
        self.skipped.setdefault(channel, {}).setdefault(reason, 0)
        self.skipped[channel][reason] += 1


def _outbox_put(**kwargs):
    from dangjian.jobs import api as jobs_api

    return jobs_api.outbox_put(**kwargs)


def _queue(delivery: Delivery) -> None:
    row = _outbox_put(channel=delivery.channel, to=delivery.to, payload=delivery.payload, dedup_key=f"notify:{delivery.pk}")
    delivery.status = DeliveryStatus.QUEUED
    delivery.outbox_id = getattr(row, "pk", None)
    delivery.payload = {}
    delivery.save(update_fields=["status", "outbox_id", "payload"])


def notify(*, recipients, kind: str, context: dict, channels=("inbox",), org=None, actor=None) -> int:
    """Send one message kind to the recipients on the channels; returns the number of inbox rows.

    Rules (issue 3): preferences per kind (else ``*``) choose the channels; SMS inside the
    recipient's quiet hours waits until they end; more than ``sms_per_hour`` SMS to one
    recipient in an hour are skipped with the reason recorded (the inbox still gets the message).
    """
    channels = tuple(dict.fromkeys(channels))
    bad = [c for c in channels if c not in CHANNELS]
    if bad:
        raise ValueError(f"notify: unknown channels {bad}; use {CHANNELS}")
    kinds.check_context(kind, context)  # a missing placeholder fails before anything is written
    org_path = _org_path(org) if org is not None else ""
    now = timezone.now()
    summary = Summary()
    with transaction.atomic():
        people = resolve_recipients(recipients)
        limited = [c for c in channels if c != "inbox" and conf().get(f"{c}_per_hour")]
        if limited:
            _lock_recipients(sorted(f"notify:{c}:{p.ref}" for c in limited for p in people))
        prefs = prefs_for([p.user.pk for p in people if p.user is not None], kind)
        inbox_rows: list[InboxMessage] = []
        for person in people:
            p = prefs.get(person.user.pk) if person.user is not None else default_prefs()
            msg = kinds.render(kind, context, p.language)
            if "inbox" in channels and person.user is not None:
                if p.inbox:
                    inbox_rows.append(InboxMessage(user=person.user, kind=kind, title=msg.title, body=msg.body,
                                                   link=msg.link, org_path=org_path, created_at=now))
                else:
                    summary.skip("inbox", "opted_out")
            if "sms" in channels:
                _plan(summary, person, p, kind, "sms", msg, now, org_path)
            if "email" in channels:
                _plan(summary, person, p, kind, "email", msg, now, org_path)
        InboxMessage.objects.bulk_create(inbox_rows)
        summary.inbox = len(inbox_rows)
        audit.record(actor=actor, action="notify.send", object_type="notify.kind", object_id=kind, org_path=org_path, data={
            "kind": kind, "channels": list(channels), "recipients": len(people), "inbox": summary.inbox,
            "queued": summary.queued, "deferred": summary.deferred, "skipped": summary.skipped,
        })
    return summary.inbox


def _plan(summary: Summary, person: Recipient, p: Prefs, kind: str, channel: str, msg: kinds.Rendered, now, org_path: str) -> None:
    """Decide one outbound delivery: skip (with a reason), defer, or queue into the outbox."""
    if channel == "sms":
        ref = person.ref
        reachable = person.member is not None and bool(person.member.phone_bidx)
        to = ref
        payload = {"kind": kind, "lang": msg.language, "text": f"{msg.title}：{msg.body}" if msg.body else msg.title,
                   "params": msg.params}
    else:
        ref = f"user:{person.user.pk}" if person.user is not None else person.ref
        to = (getattr(person.user, "email", "") or "") if person.user is not None else ""
        reachable = bool(to)
        payload = {"kind": kind, "lang": msg.language, "subject": msg.title, "text": msg.body, "link": msg.link}
    d = Delivery(kind=kind, channel=channel, recipient=ref, user=person.user, org_path=org_path, created_at=now, send_after=now)
    allowed = p.sms if channel == "sms" else p.email
    reason = ""
    if not allowed:
        reason = "opted_out"
    elif not reachable:
        reason = "no_phone" if channel == "sms" else "no_email"
    else:
        if channel == "sms":
            until = quiet_until(now, p.quiet)
            if until is not None:
                d.send_after = until
        if _over_limit(channel, ref, d.send_after):
            reason = "rate_limited"
    if reason:
        d.status, d.reason = DeliveryStatus.SKIPPED, reason
        d.save()
        summary.skip(channel, reason)
        return
    d.to, d.payload = to, payload
    if d.send_after > now:
        d.status, d.reason = DeliveryStatus.DEFERRED, "quiet_hours"
        d.save()
        summary.deferred[channel] = summary.deferred.get(channel, 0) + 1
        return
    d.status = DeliveryStatus.QUEUED
    d.save()
    _queue(d)
    summary.queued[channel] = summary.queued.get(channel, 0) + 1


def release_deferred(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Put deferred deliveries whose quiet hours have ended into the outbox (a periodic job).
    Rows are locked (SKIP LOCKED where supported) so two workers never release one twice; the
    outbox de-duplication key ``notify:<delivery id>`` guards the rest."""
    now = now or timezone.now()
    released = 0
    with transaction.atomic():
        qs = Delivery.objects.filter(status=DeliveryStatus.DEFERRED, send_after__lte=now).order_by("send_after", "id")
        for d in qs.select_for_update(skip_locked=True)[:limit]:
            _queue(d)
            released += 1
    return released


# -- inbox ----------------------------------------------------------------------------------

def unread_count(user) -> int:
    return InboxMessage.objects.filter(user=user, read_at__isnull=True).count()


@policy.authorized_by("the actor's own inbox only: the message is looked up with user=actor, so another "
                      "user's message is DoesNotExist (404, existence not disclosed)")
def mark_read(*, actor, message_id: int) -> InboxMessage:
    """Mark one of the actor's own messages read; another user's message is ``DoesNotExist``."""
    msg = InboxMessage.objects.get(pk=message_id, user=actor)
    if msg.read_at is None:
        msg.read_at = timezone.now()
        InboxMessage.objects.filter(pk=msg.pk, read_at__isnull=True).update(read_at=msg.read_at)
    return msg


@policy.authorized_by("the actor's own inbox only: the update is filtered by user=actor")
def mark_all_read(*, actor, kind: str = "") -> int:
    """Mark the actor's own unread messages (of ``kind``, if given) read; returns how many."""
    qs = InboxMessage.objects.filter(user=actor, read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.update(read_at=timezone.now())


@policy.authorized_by("the actor's own preference row only: written with user=actor")
def save_preferences(*, actor, kind: str = ALL_KINDS, **values) -> NotificationPreference:
    """The actor's own preference row for ``kind`` (created on first save)."""
    allowed = {"inbox", "sms", "email", "quiet_start", "quiet_end", "language"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"unknown preference fields {sorted(unknown)}")
    row, _created = NotificationPreference.objects.update_or_create(
        user=actor, kind=kind, defaults={**values, "updated_at": timezone.now()})
    return row


__all__ = ["notify", "release_deferred", "resolve_recipients", "mark_read", "mark_all_read", "unread_count",
           "save_preferences", "quiet_until"]
