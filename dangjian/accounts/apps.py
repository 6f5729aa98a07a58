from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Two-factor sign-in (django-otp TOTP devices and one-time recovery codes)."""

    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
