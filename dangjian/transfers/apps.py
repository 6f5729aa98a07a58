"""Organizational relationship."""
from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "dangjian.transfers"
    label = "transfers"
    verbose_name = "Organizational relationship"

    def ready(self):
        _register_ui()
        _register_indicators()
        from dangjian.core.messages import register_kinds
        from dangjian.members.api import register_panel

        from . import policies, tasks  # noqa: F401  (POLICY rows, resources; periodic jobs)
        from .messages import KINDS
        from .selectors import member_panel

        register_kinds(KINDS)
        register_panel("transfers", template="transfers/_member_panel.html", context=member_panel, order=40)


def _register_indicators() -> None:
    """This app's monitor in the core registry (dangjian.core.indicators)."""
    from . import indicators

    indicators.register()


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import orglinks
    from dangjian.core.models import MEMBER_HOLDING_KINDS

    orglinks.register(
        orglinks.link(orglinks.AFFAIRS, _("Transfers out"), "transfers-outgoing", "transfer", "view", order=130),
        orglinks.link(orglinks.AFFAIRS, _("Transfers in"), "transfers-incoming", "transfer_in", "view", order=140),
        orglinks.link(orglinks.AFFAIRS, _("Flowing and lost-contact members"), "transfers-away", "flowing", "view", order=150),
        orglinks.link(orglinks.AFFAIRS, _("Members flowing in"), "transfers-flowing-in", "flowing_in", "view", kinds=MEMBER_HOLDING_KINDS, order=160),
    )
