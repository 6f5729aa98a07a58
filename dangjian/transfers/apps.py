from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "dangjian.transfers"
    label = "transfers"
    verbose_name = "Organizational relationship"

    def ready(self):
        from . import policies  # noqa: F401  (adds this app's POLICY rows and resources)
