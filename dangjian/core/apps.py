from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from . import (
            middleware,  # noqa: F401  (connects the login-time signal receiver)
            scoping,  # noqa: F401  (registers the scoping system check)
        )
