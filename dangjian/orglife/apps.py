from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    label = "orglife"
    verbose_name = "Organizational life"

    def ready(self):
        _register_ui()
        _register_indicators()
        from dangjian.core.messages import register_kinds
        from dangjian.members.api import register_panel
        from dangjian.transfers.api import register_inflow_attendance

        from . import (
            policies,  # noqa: F401  (adds this app's POLICY rows and resources)
            selectors,
            tasks,  # noqa: F401  (periodic jobs: reminders, inflow credit)
        )
        from .messages import KINDS
        from .panels import member_panel_context

        register_kinds(KINDS)
        register_inflow_attendance(selectors.inflow_attendance_of)
        register_panel("orglife-attendance", template="orglife/_member_panel.html", context=member_panel_context, order=20)


def _register_indicators() -> None:
    """This app's indicators in the core registry (dangjian.core.indicators)."""
    from . import indicators

    indicators.register()


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import navigation, orglinks
    from dangjian.core.models import MEMBER_HOLDING_KINDS

    navigation.register(
        navigation.NavItem("nav-meetings", _("Meetings"), "orglife-meetings", "staff", order=30),
        navigation.NavItem("nav-my-meetings", _("My meetings"), "orglife-my-meetings", "member", order=10),
    )
    orglinks.register(
        orglinks.link(orglinks.ORG_LIFE, _("Meetings"), "orglife-meetings", "meeting", "view", by_query=True, order=10),
        orglinks.link(orglinks.ORG_LIFE, _("Plan a meeting"), "orglife-meeting-plan", "meeting", "plan", kinds=MEMBER_HOLDING_KINDS, by_query=True, order=20),
        orglinks.link(orglinks.ORG_LIFE, _("Heart-to-heart talks"), "orglife-talks", "heart_talk", "view", kinds=MEMBER_HOLDING_KINDS, order=60),
    )
