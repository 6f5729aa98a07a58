from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    label = "dues"
    verbose_name = "Party dues"

    def ready(self):
        _register_ui()
        _register_indicators()
        from dangjian.core.messages import register_kinds

        from . import (
            policies,  # noqa: F401  (adds this app's POLICY rows and resources)
            tasks,  # noqa: F401  (periodic jobs, export job kind)
        )
        from .messages import KINDS
        from .panels import register_panel

        register_kinds(KINDS)
        register_panel()


def _register_indicators() -> None:
    """This app's indicator and monitor in the core registry (dangjian.core.indicators)."""
    from . import indicators

    indicators.register()


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import exports, navigation, orglinks

    navigation.register(
        navigation.NavItem("nav-dues", _("Dues"), "dues-branch", "staff", order=60),
        navigation.NavItem("nav-my-dues", _("My dues"), "dues-mine", "member", order=20),
    )
    orglinks.register(
        orglinks.link(orglinks.AFFAIRS, _("Party dues"), "dues-branch", "dues", "view", by_query=True, order=120),
    )
    exports.register(exports.Export(
        "dues.month", _("Party dues of a month"),
        _("One row per billed member of the organization and its subtree: amount, status, receipt, date and way "
          "of payment; no ID numbers or phones. Start it from the dues summary of the month."),
        "dues-summary", "dues", "export", audit_action="dues.export", endpoints=("dues-export",), personal=True))
