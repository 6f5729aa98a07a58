from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        _register_ui()
        from .policy import register_declared

        register_declared()  # every model's POLICY resource, from its scope_resource declaration
        from . import (
            middleware,  # noqa: F401  (connects the login-time signal receiver)
            scoping,  # noqa: F401  (registers the scoping system check)
        )


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from . import navigation

    navigation.register(
        navigation.NavItem("nav-orgs", _("Organizations"), "org-tree", "staff", order=10),
        navigation.NavItem("nav-audit", _("Audit log"), "audit-log", "role:audit_admin", order=10),
        navigation.NavItem("nav-exports", _("Exports"), "exports", "staff", order=90),
    )
