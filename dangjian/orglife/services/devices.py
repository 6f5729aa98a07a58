"""Sign-in devices (SigninDevice): terminals of an organization's subtree, their keys (shown once,
stored as a hash: docs/decisions.md §13) and the device sign-in of the open API (issue 4 "(c)")."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.errors import refusal
from dangjian.core.models import Organization
from dangjian.members.api import Member

from ..models import Attendance, Meeting, SigninDevice, SigninMethod
from .signin import SIGNIN_NOT_OPEN_CODES, sign_in


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_device(*, actor, org: Organization, name: str) -> tuple[SigninDevice, str]:
    """Register a sign-in terminal of ``org``'s subtree; returns (device, key). The key is shown
    once and stored only as a hash (docs/decisions.md §13)."""
    policy.authorize(actor, "signin_device", "manage", org)
    name = (name or "").strip()
    if not name:
        raise refusal("no_name", _("Give the device a name."), field="name")
    with transaction.atomic():
        for _attempt in range(5):
            prefix = secrets.token_hex(4)
            key = f"{prefix}.{secrets.token_urlsafe(32)}"
            try:
                with transaction.atomic():
                    dev = SigninDevice.objects.create(org=org, name=name[:80], key_prefix=prefix,
                                                      key_hash=_hash_key(key), created_by=actor)
                break
            except IntegrityError:  # pragma: no cover - a 32-bit prefix collision
                continue
        else:  # pragma: no cover
            raise ValidationError(_("Could not create a key; try again."), code="key_collision")
        audit.record(actor=actor, action="orglife.device_create", obj=dev, data={"name": dev.name})
    return dev, key


def deactivate_device(*, actor, device: SigninDevice) -> SigninDevice:
    """Switch a device off: its key stops working at once."""
    policy.authorize(actor, "signin_device", "manage", device)
    with transaction.atomic():
        SigninDevice.objects.filter(pk=device.pk).update(active=False)
        device.refresh_from_db()
        audit.record(actor=actor, action="orglife.device_deactivate", obj=device, data={"name": device.name})
    return device


def authenticate_device(key: str) -> SigninDevice | None:
    """The active device holding ``key`` (``<prefix>.<secret>``), else None (constant-time compare)."""
    from django.utils.crypto import constant_time_compare

    if not key or "." not in key or len(key) > 200:
        return None
    prefix = key.split(".", 1)[0]
    dev = SigninDevice.objects.filter(key_prefix=prefix, active=True).select_related("org").first()
    if dev is None or not constant_time_compare(dev.key_hash, _hash_key(key)):
        return None
    return dev


def device_sign_in(*, device: SigninDevice, meeting: Meeting, member: Member) -> tuple[Attendance, bool]:
    """A device signs a member in (method ``device``; later face matching picks the member).
    The caller has checked that the meeting is in the device's organization subtree.
    The device API answers one code, ``not_open``, for every reason :func:`sign_in` gives for a
    meeting not open (``SIGNIN_NOT_OPEN_CODES``), as it always has."""
    if not meeting.org_path.startswith(device.org_path):
        raise ValidationError(_("This meeting is not in the device's organization."), code="not_found")
    try:
        att, created = sign_in(actor=None, meeting=meeting, member=member, method=SigninMethod.DEVICE, device=device)
    except ValidationError as exc:
        if getattr(exc, "code", None) in SIGNIN_NOT_OPEN_CODES:
            raise ValidationError(exc.message, code="not_open", params=exc.params) from None
        raise
    now = timezone.now()
    if device.last_used_at is None or now - device.last_used_at > dt.timedelta(minutes=1):
        SigninDevice.objects.filter(pk=device.pk).update(last_used_at=now)
    return att, created


@dataclass(frozen=True)
class DeviceSignin:
    """What a device sign-in did (read-only): the meeting, the member, the attendance row and
    whether it was created now (False: the member had already signed in)."""

    meeting: Meeting
    member: Member
    attendance: Attendance
    created: bool


def device_sign_in_by_ids(*, device: SigninDevice, meeting_id: int, member_id: int) -> DeviceSignin:
    """The open sign-in API (issue 4 "(c)"): a device names a meeting and a member by id.

    Refusals (coded ``ValidationError``): ``not_found`` — no such meeting in the device's
    organization subtree (the API answers 404, as for a meeting that does not exist);
    ``not_invited`` — no such member (the same answer as a member who is not invited); then the
    codes of :func:`device_sign_in` (``not_open``, ``not_invited``)."""
    meeting = Meeting.objects.select_related("org").filter(pk=meeting_id, org_path__startswith=device.org_path).first()
    if meeting is None:
        raise ValidationError(_("This meeting is not in the device's organization."), code="not_found")
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise ValidationError(_("This member is not invited to the meeting."), code="not_invited")
    att, created = device_sign_in(device=device, meeting=meeting, member=member)
    return DeviceSignin(meeting=meeting, member=member, attendance=att, created=created)
