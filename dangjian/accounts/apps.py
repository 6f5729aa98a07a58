from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Two-factor sign-in (django-otp TOTP devices and one-time recovery codes) and API tokens."""

    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        _register_ui()
        from dangjian.core.models import Role as R
        from dangjian.core.policy import SUBTREE, extend

        # API tokens of the users holding roles in the subtree: listed and revoked by the security admin.
        extend({"api_token": {"manage": {R.SECURITY_ADMIN: SUBTREE}}})


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import navigation

    navigation.register(
        navigation.NavItem("tokens-link", _("API tokens"), "api-tokens", "account", order=30),
    )
