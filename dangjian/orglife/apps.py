from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    label = "orglife"
    verbose_name = "Organizational life"

    def ready(self):
        from dangjian.members.api import register_panel
        from dangjian.transfers.api import register_inflow_attendance

        from . import (
            policies,  # noqa: F401  (adds this app's POLICY rows and resources)
            selectors,
            tasks,  # noqa: F401  (periodic jobs: reminders, inflow credit)
        )
        from .notices import register_kinds
        from .panels import member_panel_context

        register_kinds()
        register_inflow_attendance(selectors.inflow_attendance_of)
        register_panel("orglife-attendance", template="orglife/_member_panel.html", context=member_panel_context, order=20)
