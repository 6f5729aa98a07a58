from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "dangjian.appraisal"
    label = "appraisal"
    verbose_name = "Democratic appraisal of members"

    def ready(self):
        _register_ui()
        from dangjian.core.messages import register_kinds
        from dangjian.members.api import register_panel

        from . import (
            policies,  # noqa: F401  (adds this app's POLICY rows and resources)
            tasks,  # noqa: F401  (daily 限期改正 reminders)
        )
        from .messages import KINDS
        from .panels import member_panel_context

        register_kinds(KINDS)

        register_panel("appraisal-grades", template="appraisal/_member_panel.html", context=member_panel_context, order=60)


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import navigation, orglinks
    from dangjian.core.orglinks import BRANCH_LIKE, LEADING

    navigation.register(
        navigation.NavItem("nav-my-appraisal", _("My appraisal"), "appraisal-mine", "member", order=30),
    )
    orglinks.register(
        orglinks.link(orglinks.ORG_LIFE, _("Democratic appraisal"), "appraisal-org", "appraisal", "view", kinds=BRANCH_LIKE, order=70),
        orglinks.link(orglinks.ORG_LIFE, _("Appraisal overview"), "appraisal-overview", "appraisal", "overview", kinds=LEADING, order=80),
    )
