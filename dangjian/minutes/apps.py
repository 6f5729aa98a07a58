from django.apps import AppConfig


class MinutesConfig(AppConfig):
    name = "dangjian.minutes"
    label = "minutes"
    verbose_name = "Meeting records"

    def ready(self):
        _register_ui()
        from . import policies  # noqa: F401  (adds this app's POLICY rows and resources)


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import orglinks

    orglinks.register(
        orglinks.link(orglinks.ORG_LIFE, _("Meeting records"), "minutes-list", "meeting", "view", by_query=True, order=30),
    )
