from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "dangjian.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
