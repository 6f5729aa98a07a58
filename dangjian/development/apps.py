from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "dangjian.development"
    label = "development"
    verbose_name = "Member development"

    def ready(self):
        _register_ui()
        _register_indicators()
        from dangjian.core.messages import register_kinds

        from . import (
            policies,  # noqa: F401  (adds this app's POLICY rows and resources)
            tasks,  # noqa: F401  (daily reminders)
        )
        from .messages import KINDS
        from .panels import register_panel

        register_kinds(KINDS)
        register_panel()


def _register_indicators() -> None:
    """This app's monitor in the core registry (dangjian.core.indicators)."""
    from . import indicators

    indicators.register()


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import navigation, orglinks

    navigation.register(
        navigation.NavItem("nav-development", _("Development"), "development-pipeline", "staff", order=50),
    )
    orglinks.register(
        orglinks.link(orglinks.AFFAIRS, _("Member development"), "development-pipeline", "development", "view", by_query=True, order=110),
    )
