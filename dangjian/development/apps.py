from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "dangjian.development"
    label = "development"
    verbose_name = "Member development"

    def ready(self):
        from . import (
            policies,  # noqa: F401  (adds this app's POLICY rows and resources)
            tasks,  # noqa: F401  (daily reminders)
        )
        from .notifications import register_kinds
        from .panels import register_panel

        register_kinds()
        register_panel()
