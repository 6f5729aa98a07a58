"""Supervision: completion status of org life, supervision lists and the monthly bulletin."""
from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "dangjian.supervision"
    label = "supervision"
    verbose_name = "Supervision"

    def ready(self):
        from . import (
            policies,  # noqa: F401  (adds this app's POLICY rows and resources)
            tasks,  # noqa: F401  (the monthly bulletin job)
        )
        from .services import register_kinds

        register_kinds()
