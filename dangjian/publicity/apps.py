from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "dangjian.publicity"
    label = "publicity"
    verbose_name = "Publicity boards"

    def ready(self):
        from . import policies  # noqa: F401  (adds this app's POLICY rows and resources)
