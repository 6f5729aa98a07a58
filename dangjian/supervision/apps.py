"""Supervision: completion status of org life, supervision lists and the monthly bulletin."""
from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "dangjian.supervision"
    label = "supervision"
    verbose_name = "Supervision"

    def ready(self):
        _register_ui()
        _register_indicators()
        from dangjian.core.messages import register_kinds

        from . import (
            policies,  # noqa: F401  (adds this app's POLICY rows and resources)
            tasks,  # noqa: F401  (the monthly bulletin job)
        )
        from .messages import KINDS

        register_kinds(KINDS)


def _register_indicators() -> None:
    """This app's monitor in the core registry (dangjian.core.indicators)."""
    from . import indicators

    indicators.register()


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import exports, navigation, orglinks
    from dangjian.core.models import OrgKind
    from dangjian.core.orglinks import BRANCH_LIKE, LEADING

    navigation.register(
        navigation.NavItem("nav-supervision", _("Supervision"), "supervision-home", "staff", order=40),
    )
    orglinks.register(
        orglinks.link(orglinks.ORG_LIFE, _("Completion calendar"), "supervision-calendar", "supervision", "view", kinds=BRANCH_LIKE | {OrgKind.PARTY_GROUP}, order=40),
        orglinks.link(orglinks.ORG_LIFE, _("Completion overview"), "supervision-overview", "supervision", "view", kinds=LEADING, order=50),
        orglinks.link(orglinks.ORG_LIFE, _("Supervision lists"), "supervision-lists", "supervision", "view", order=90),
        orglinks.link(orglinks.ORG_LIFE, _("Bulletins"), "supervision-bulletins", "supervision", "view", order=100),
    )
    exports.register(exports.Export(
        "supervision.bulletin", _("Supervision bulletin (通报)"),
        _("A generated bulletin of organizational-life completion by organization, as Excel or PDF; "
          "organizations only, no member's data."),
        "supervision-bulletins", "supervision", "export", audit_action="supervision.export_bulletin",
        endpoints=("supervision-bulletin-xlsx", "supervision-bulletin-pdf"), formats=("xlsx", "pdf"), per_org=True))
