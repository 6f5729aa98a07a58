from django.apps import AppConfig


class MinutesConfig(AppConfig):
    name = "dangjian.minutes"
    label = "minutes"
    verbose_name = "Meeting records"

    def ready(self):
        from . import policies  # noqa: F401  (adds this app's POLICY rows and resources)
