from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"
    verbose_name = "Members"

    def ready(self):
        _register_ui()
        from dangjian.core import population as core_population
        from dangjian.core.messages import register_kinds

        from . import policies  # noqa: F401  (registers the scoping policy)
        from .messages import KINDS
        from .population import Population

        core_population.register(Population())
        register_kinds(KINDS)

def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import navigation

    navigation.register(
        navigation.NavItem("nav-members", _("Members"), "member-roster", "staff", order=20),
    )
