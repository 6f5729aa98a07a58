from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "dangjian.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self):
        _register_ui()


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import navigation

    navigation.register(
        navigation.NavItem("jobs-link", _("My jobs"), "job-list", "account", order=20),
    )
