"""The lifecycle of API tokens (SECURITY.md family "token lifecycle"; issue 10 item 4).

* **Expiry.** A token lives ``DANGJIAN_API_TOKEN_TTL_SECONDS`` (default 7 days), or
  ``DANGJIAN_API_TOKEN_PRIVILEGED_TTL_SECONDS`` (default 1 hour) when its holder held a role that
  must use two-factor sign-in (``DANGJIAN_OTP_REQUIRED_ROLES``) when it was issued.
* **Bound to the second factor.** The token stores a fingerprint of the holder's confirmed TOTP
  devices; when 2FA is reset, disabled or enrolled again the token stops working. A holder who
  must use a second factor now, and whose token was issued on the password alone, is refused.
* **Bound to the roles.** The token stores a fingerprint of the holder's active role
  assignments; a role gained or lost (or re-granted) ends every token issued before — a token
  never carries privileges over a role change, the holder signs in again.
* **Fresh second factor for privileged actions.** Revealing a clear value or exporting (POLICY
  actions ``reveal`` and ``export``) by token needs a token issued, with a verified code, less
  than ``DANGJIAN_API_FRESH_OTP_SECONDS`` (default 300 s) ago — for holders who must use a second
  factor.
* **Listed and revoked** by the holder and by a security admin whose subtree holds one of the
  holder's roles (``api_token``/``manage`` of POLICY). Issue and revocation are audited.

Refusals are :class:`TokenRefused` with a code (``invalid``, ``expired``, ``revoked``,
``inactive``, ``second_factor_changed``, ``second_factor_required``, ``roles_changed``,
``fresh_second_factor_required``); the API answers them 401.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.core import audit, config
from dangjian.core.models import RoleAssignment

from . import services as otp_services
from .models import ApiToken

DEFAULT_TTL = 7 * 24 * 3600
DEFAULT_PRIVILEGED_TTL = 3600
DEFAULT_FRESH_OTP = 300
PRIVILEGED_ACTIONS = frozenset({"reveal", "export"})
LAST_USED_STEP = dt.timedelta(seconds=60)

MESSAGES = {
    "invalid": _("Invalid token."),
    "expired": _("The token has expired: obtain a new one."),
    "revoked": _("The token was revoked."),
    "inactive": _("The account is deactivated."),
    "second_factor_changed": _("Two-factor sign-in changed since the token was issued: obtain a new one."),
    "second_factor_required": _("The token was issued without a second factor, which the account now needs: obtain a new one."),
    "roles_changed": _("Your roles changed since the token was issued: obtain a new one."),
    "fresh_second_factor_required": _("This action needs a token issued with a fresh two-factor code: obtain a new one with your code."),
}


class TokenRefused(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
        self.message = MESSAGES[code]


def ttl_seconds(privileged: bool) -> int:
    if privileged:
        return int(config.value("API_TOKEN_PRIVILEGED_TTL_SECONDS", DEFAULT_PRIVILEGED_TTL))
    return int(config.value("API_TOKEN_TTL_SECONDS", DEFAULT_TTL))


def fresh_otp_seconds() -> int:
    return int(config.value("API_FRESH_OTP_SECONDS", DEFAULT_FRESH_OTP))


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _fingerprint(parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def otp_state(user) -> str:
    """Which confirmed TOTP devices the user has (a reset or re-enrolment changes it)."""
    return _fingerprint(["totp", *TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").values_list("pk", flat=True)])


def roles_state(user) -> str:
    """Which role assignments the user holds (a grant, revoke or re-grant changes it)."""
    rows = RoleAssignment.objects.filter(user=user, active=True).order_by("pk").values_list("pk", "role", "org_id")
    return _fingerprint(["roles", *(f"{pk}:{role}:{org}" for pk, role, org in rows)])


def is_privileged(user) -> bool:
    return RoleAssignment.objects.filter(user=user, active=True, role__in=otp_services.required_roles()).exists()


def _audit(actor, action: str, token: ApiToken, **data) -> None:
    audit.record(actor=actor, action=action, object_type="accounts.apitoken", object_id=token.pk,
                 org_path=otp_services.first_org_path(token.user), data={"user": token.user_id, "prefix": token.prefix, **data})


def issue_token(*, actor, second_factor: bool) -> tuple[ApiToken, str]:
    """Issue a new token to ``actor`` (who just signed in with their password, and with a verified
    second factor when ``second_factor``); returns the row and the key, which is shown once."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    privileged = is_privileged(actor)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, digest=digest(key), prefix=key[:8], created_at=now,
            expires_at=now + dt.timedelta(seconds=ttl_seconds(privileged)),
            second_factor_at=now if second_factor else None,
            otp_state=otp_state(actor), roles_state=roles_state(actor), privileged=privileged,
        )
        _audit(actor, "auth.token_issue", token, expires_at=token.expires_at.isoformat(), second_factor=second_factor,
               privileged=privileged)
    return token, key


def authenticate_key(key: str) -> ApiToken:
    """The live token for ``key``, or :class:`TokenRefused` saying why not. Runs on every request."""
    token = ApiToken.objects.select_related("user").filter(digest=digest(key or "")).first()
    if token is None:
        raise TokenRefused("invalid")
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused("revoked")
    if token.expires_at <= now:
        raise TokenRefused("expired")
    user = token.user
    if not user.is_active:
        raise TokenRefused("inactive")
    if otp_state(user) != token.otp_state:
        raise TokenRefused("second_factor_changed")
    if roles_state(user) != token.roles_state:
        raise TokenRefused("roles_changed")
    if token.second_factor_at is None and otp_services.needs_second_factor(user):
        raise TokenRefused("second_factor_required")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_STEP:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def check_privileged_action(token: ApiToken, action: str) -> None:
    """Refuse ``reveal``/``export`` by a token without a fresh second factor (see module doc)."""
    if action not in PRIVILEGED_ACTIONS or not otp_services.needs_second_factor(token.user):
        return
    at = token.second_factor_at
    if at is None or timezone.now() - at > dt.timedelta(seconds=fresh_otp_seconds()):
        raise TokenRefused("fresh_second_factor_required")


# -- listing and revocation -------------------------------------------------------------------

def own_tokens(user) -> QuerySet[ApiToken]:
    """The user's tokens that still work or ended lately (revoked or expired in the last 30 days)."""
    since = timezone.now() - dt.timedelta(days=30)
    return (ApiToken.objects.filter(user=user).filter(Q(revoked_at__isnull=True) | Q(revoked_at__gte=since))
            .filter(expires_at__gte=since).order_by("-created_at"))


def managed_tokens(scope) -> QuerySet[ApiToken]:
    """Live tokens of users holding a role inside the subtrees where ``scope`` may manage tokens
    (``api_token``/``manage``: the security admin)."""
    holders = RoleAssignment.objects.filter(scope.q_paths("api_token", "manage", "org__path"), active=True).values("user_id")
    return (ApiToken.objects.filter(user_id__in=holders, revoked_at__isnull=True, expires_at__gt=timezone.now())
            .select_related("user").order_by("-created_at"))


def may_revoke(scope, token: ApiToken) -> bool:
    return token.user_id == getattr(scope.user, "pk", None) or managed_tokens(scope).filter(pk=token.pk).exists()


def revoke_token(*, actor, token: ApiToken, scope=None) -> ApiToken:
    """Revoke one token: its holder, or a security admin reaching the holder (``scope`` given).
    Audited (``auth.token_revoke``); revoking a revoked token changes nothing."""
    from dangjian.core.policy import Scope

    scope = scope or Scope.for_user(actor)
    if not may_revoke(scope, token):
        raise ValidationError(_("This token is not yours to revoke."), code="not_allowed")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at, token.revoked_by = timezone.now(), actor
            token.save(update_fields=["revoked_at", "revoked_by"])
            _audit(actor, "auth.token_revoke", token, by_holder=actor.pk == token.user_id)
    return token
