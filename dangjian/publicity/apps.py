from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "dangjian.publicity"
    label = "publicity"
    verbose_name = "Publicity boards"

    def ready(self):
        _register_ui()
        from dangjian.core.messages import register_kinds

        from . import policies  # noqa: F401  (adds this app's POLICY rows and resources)
        from .messages import KINDS

        register_kinds(KINDS)

def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import navigation, orglinks

    navigation.register(
        navigation.NavItem("nav-publicity", _("Publicity"), "publicity-home", "staff", order=70),
        navigation.NavItem("nav-public-boards", _("Village affairs publicity"), "publicity-public-index", "public", order=10),
    )
    orglinks.register(
        orglinks.link(orglinks.PUBLIC, _("Publicity board"), "publicity-org", "publicity", "view", order=190),
    )
