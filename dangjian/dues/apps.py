from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    label = "dues"
    verbose_name = "Party dues"

    def ready(self):
        from . import (
            policies,  # noqa: F401  (adds this app's POLICY rows and resources)
            tasks,  # noqa: F401  (periodic jobs, export job kind)
        )
        from .notifications import register_kinds
        from .panels import register_panel

        register_kinds()
        register_panel()
