from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "dangjian.appraisal"
    label = "appraisal"
    verbose_name = "Democratic appraisal of members"

    def ready(self):
        from . import policies  # noqa: F401  (adds this app's POLICY rows and resources)
