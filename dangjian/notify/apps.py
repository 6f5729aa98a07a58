from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "dangjian.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self):
        from dangjian.jobs.api import register_channel

        from . import delivery
        from .kinds import register_kind

        register_channel("sms", delivery.deliver_sms)
        register_channel("email", delivery.deliver_email)
        # A plain notice (administrators' announcements, tests, the demo).
        register_kind(
            "notice",
            title={"zh-hans": "{title}", "en": "{title}"},
            body={"zh-hans": "{text}", "en": "{text}"},
        )
