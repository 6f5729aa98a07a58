"""Two-factor sign-in (SECURITY.md: TOTP required for admins, org-department staff and
secretaries; 等保2.0 "two or more authentication factors").

Who must use it: while ``DANGJIAN_OTP_ENFORCED`` is on, a user holding an active role listed in
``DANGJIAN_OTP_REQUIRED_ROLES``, and anyone who has confirmed a device of their own. Devices are django-otp's: one confirmed TOTP device (RFC 6238,
30 s steps, 6 digits, one step of tolerance, a code is accepted once) and one static device
holding one-time recovery codes. django-otp throttles wrong codes per device (1, 2, 4, 8 …
seconds between attempts). Every confirmation, successful verification and failure is written
to the audit chain (``auth.2fa_setup``, ``auth.2fa_verify``, ``auth.2fa_fail``).
"""
from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass, field

from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.core import audit, config, policy
from dangjian.core.models import RoleAssignment

DEFAULT_REQUIRED_ROLES = ("org_admin", "secretary", "audit_admin", "security_admin")
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


# -- who must use a second factor ---------------------------------------------------------------

def enforced() -> bool:
    return bool(config.value("OTP_ENFORCED", True))


def required_roles() -> tuple[str, ...]:
    return tuple(config.value("OTP_REQUIRED_ROLES", DEFAULT_REQUIRED_ROLES))


def requires_otp(user) -> bool:
    """Whether this user must pass a second factor (enforcement on and a required role held)."""
    if not enforced() or not getattr(user, "is_authenticated", False):
        return False
    return RoleAssignment.objects.filter(user=user, active=True, role__in=required_roles()).exists()


def needs_second_factor(user) -> bool:
    """Whether this user must pass a second factor before anything else: enforcement on, and a
    required role held or a confirmed device of their own (someone who set it up voluntarily is
    asked too)."""
    if not enforced() or not getattr(user, "is_authenticated", False):
        return False
    return has_confirmed_totp(user) or requires_otp(user)


def is_verified(user) -> bool:
    """Whether this session passed the second factor (django-otp's OTPMiddleware sets it)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def first_org_path(user) -> str:
    """The audit row's org_path: the user's first active role's organization, or ""."""
    ra = RoleAssignment.objects.filter(user=user, active=True).select_related("org").order_by("pk").first()
    return ra.org.path if ra else ""


def _audit(user, action: str, **data) -> None:
    audit.record(actor=user, action=action, object_type="auth.user", object_id=user.pk,
                 org_path=first_org_path(user), data=data)


# -- enrolment ----------------------------------------------------------------------------------

def pending_totp(user) -> TOTPDevice:
    """The user's unconfirmed TOTP device (created with a fresh random key when missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=TOTP_NAME).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key in base32 (what authenticator apps take when typed in), in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as a QR code, an SVG ``data:`` URI (CSP allows ``img-src data:``)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    img = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=10, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def _new_recovery_code() -> str:
    """16 base32 characters (80 random bits); shown as four groups of four."""
    return base64.b32encode(os.urandom(10)).decode().lower()


def format_recovery_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def issue_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with a fresh set; returns them (shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [_new_recovery_code() for _i in range(int(config.value("OTP_RECOVERY_CODES", 8)))]
    for code in codes:
        device.token_set.create(token=code)
    return [format_recovery_code(c) for c in codes]


def remaining_recovery_codes(user) -> int:
    device = StaticDevice.objects.filter(user=user).first()
    return device.token_set.count() if device else 0


# -- verification -------------------------------------------------------------------------------

def normalize(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def looks_like_totp(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) in (6, 8)


@dataclass
class Outcome:
    ok: bool
    method: str = ""
    device: object = None
    locked_until: object = None  # set when django-otp's throttling refused the attempt
    recovery_codes: list[str] = field(default_factory=list)


def _throttle_end(devices) -> object:
    ends = []
    for d in devices:
        allowed, info = d.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            ends.append(info["locked_until"])
    return max(ends) if ends else None


def _mark_session_verified(request, device) -> None:
    """django-otp's login (session key + request.user.otp_device), on a fresh session id."""
    request.session.cycle_key()
    otp_login(request, device)


def confirm_totp(request, device: TOTPDevice, code: str) -> Outcome:
    """Confirm a pending device with a current code; on success issue recovery codes and mark
    this session verified. Audited either way."""
    user = request.user
    code = normalize(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        if device is None:
            return Outcome(False)
        locked = _throttle_end([device])  # set: django-otp refuses this attempt whatever the code
        if code and device.verify_token(code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = issue_recovery_codes(user)
            _audit(user, "auth.2fa_setup", channel="web", method="totp", device=device.persistent_id, recovery_codes=len(codes))
            outcome = Outcome(True, "totp", device, recovery_codes=codes)
        else:
            _audit(user, "auth.2fa_fail", channel="web", stage="setup", method="totp", throttled=locked is not None)
            return Outcome(False, "totp", locked_until=locked)
    _mark_session_verified(request, outcome.device)
    return outcome


def verify(request, code: str) -> Outcome:
    """Check a code typed after the password: six digits → the TOTP device, anything else → a
    recovery code (used up on success). Marks the session verified on success; audited."""
    user = request.user
    code = normalize(code)
    method = "totp" if looks_like_totp(code) else "recovery"
    model = TOTPDevice if method == "totp" else StaticDevice
    with transaction.atomic():
        devices = list(model.objects.devices_for_user(user, confirmed=True).select_for_update().order_by("pk"))
        locked = _throttle_end(devices)
        device = None
        if code:
            device = next((d for d in devices if d.verify_token(code)), None)
        if device is None:
            _audit(user, "auth.2fa_fail", channel="web", stage="sign-in", method=method, throttled=locked is not None)
            return Outcome(False, method, locked_until=locked)
        data = {"channel": "web", "method": method, "device": device.persistent_id}
        if method == "recovery":
            data["recovery_codes_left"] = device.token_set.count()
        _audit(user, "auth.2fa_verify", **data)
    _mark_session_verified(request, device)
    return Outcome(True, method, device)


def verify_api_otp(user, code: str | None) -> bool:
    """The token endpoint's second factor: a current code of a confirmed TOTP device (recovery
    codes are for the web sign-in only). Audited; the caller answers one generic error."""
    code = normalize(code or "")
    with transaction.atomic():
        devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update().order_by("pk"))
        locked = _throttle_end(devices)
        ok = bool(code) and any(d.verify_token(code) for d in devices)
        if ok:
            _audit(user, "auth.2fa_verify", channel="api", method="totp")
        else:
            reason = "no_device" if not devices else "missing" if not code else "wrong"
            _audit(user, "auth.2fa_fail", channel="api", method="totp", reason=reason, throttled=locked is not None)
    return ok


def _may_reset(actor, user) -> None:
    """Row ``organization.manage_roles`` (the roles page, where accounts are managed) at every
    organization where ``user`` holds an active role; an account holding none is reset by the
    system only (``manage.py otp_reset``)."""
    paths = set(RoleAssignment.objects.filter(user=user, active=True).values_list("org__path", flat=True))
    for path in sorted(paths) or [""]:
        policy.authorize(actor, "organization", "manage_roles", path)


def reset(user, *, actor=None) -> int:
    """Remove a user's devices and recovery codes (lost phone): they enrol again at next sign-in.
    Asserted by :func:`_may_reset`; ``actor`` None is ``manage.py otp_reset``."""
    _may_reset(actor, user)
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
        audit.record(actor=actor, action="auth.2fa_reset", object_type="auth.user", object_id=user.pk,
                     org_path=first_org_path(user), data={"user": user.get_username(), "removed": removed})
    return removed
