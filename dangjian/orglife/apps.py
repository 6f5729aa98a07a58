from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    label = "orglife"
    verbose_name = "Organizational life"

    def ready(self):
        from dangjian.api.registry import DEVICE
        from dangjian.api.registry import extend as api_extend
        from dangjian.members.panels import register as register_panel

        from . import (
            policies,  # noqa: F401  (adds this app's POLICY rows and resources)
            tasks,  # noqa: F401  (periodic reminder job)
        )
        from .notices import register_kinds
        from .panels import member_panel_context

        register_kinds()
        register_panel("orglife-attendance", template="orglife/_member_panel.html", context=member_panel_context, order=20)
        api_extend({"api-orglife-device-signin": {"POST": DEVICE}})
