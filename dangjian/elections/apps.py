from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "dangjian.elections"
    label = "elections"
    verbose_name = "Elections and terms"

    def ready(self):
        from . import policies  # noqa: F401  (adds this app's POLICY rows and resources)
