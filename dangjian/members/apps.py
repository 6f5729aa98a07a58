from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"
    verbose_name = "Members"

    def ready(self):
        _register_ui()
        _register_indicators()
        from dangjian.core import population as core_population
        from dangjian.core.messages import register_kinds

        from . import policies  # noqa: F401  (registers the scoping policy)
        from .messages import KINDS
        from .population import Population

        core_population.register(Population())
        register_kinds(KINDS)


def _register_indicators() -> None:
    """This app's indicator in the core registry (dangjian.core.indicators)."""
    from . import indicators

    indicators.register()


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import exports, navigation

    navigation.register(
        navigation.NavItem("nav-members", _("Members"), "member-roster", "staff", order=20),
    )
    exports.register(exports.Export(
        "members.roster", _("Member roster (花名册)"),
        _("All members of an organization and its subtree, in the roster layout the import reads; ID numbers "
          "and phones masked unless you may reveal them and ask for it. Large rosters are prepared in the background."),
        "member-roster-export", "member", "export", audit_action="member.export", personal=True))
