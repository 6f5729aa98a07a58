"""API tokens (SECURITY.md "token lifecycle"): each one expires, is bound to its holder's
two-factor devices and roles as they were when it was issued, and can be listed and revoked.

Only a SHA-256 digest of the key is stored; the key itself is shown once, when issued.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("key starts with"), max_length=8)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    # When a second factor was verified to issue this token (None: issued on the password alone).
    second_factor_at = models.DateTimeField(_("second factor verified at"), null=True, blank=True)
    # Fingerprints of the holder's confirmed two-factor devices and active roles at issue: a token
    # stops working when either changes (2FA reset or re-enrolled, a role gained or lost).
    otp_state = models.CharField(max_length=64)
    roles_state = models.CharField(max_length=64)
    privileged = models.BooleanField(_("privileged"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_revoked")]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
