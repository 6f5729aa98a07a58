from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    label = "orglife"
    verbose_name = "Organizational life"

    def ready(self):
        from . import policies  # noqa: F401  (adds this app's POLICY rows and resources)
