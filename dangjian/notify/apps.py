from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "dangjian.notify"
    label = "notify"
    verbose_name = "Notifications"
