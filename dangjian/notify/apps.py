from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "dangjian.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self):
        _register_ui()
        from dangjian.core.messages import register_kind, register_sender
        from dangjian.jobs.api import register_channel

        from . import delivery, services

        register_sender(services.notify)

        register_channel("sms", delivery.deliver_sms)
        register_channel("email", delivery.deliver_email)
        # A failed job (an export) reaches its owner's inbox with a link to its page and retry button.
        from dangjian.jobs.api import on_job_failed

        register_kind(
            "job.failed",
            title={"zh-hans": "任务失败：{title}", "en": "Job failed: {title}"},
            body={"zh-hans": "{title}未能完成。请打开任务页面查看原因并重新开始。", "en": "{title} did not finish. Open the job page to see why and start it again."},
            link="/jobs/{job_id}/",
        )
        on_job_failed(_job_failed_to_inbox)
        # A plain notice (administrators' announcements, tests, the demo).
        register_kind(
            "notice",
            title={"zh-hans": "{title}", "en": "{title}"},
            body={"zh-hans": "{text}", "en": "{text}"},
        )


def _job_failed_to_inbox(job) -> None:
    """The owner of a failed job finds it in the inbox (issue 9 item 8)."""
    from django.db import transaction

    from .services import notify

    if job.actor is None:
        return
    with transaction.atomic():
        notify(recipients=[job.actor], kind="job.failed", actor=None, context={"title": job.title or job.kind, "job_id": job.pk})


def _register_ui() -> None:
    """This app's entries in the navigation bar and on the organization page (core registries)."""
    from django.utils.translation import gettext_lazy as _

    from dangjian.core import navigation

    navigation.register(
        navigation.NavItem("inbox-link", _("Inbox"), "inbox", "account", order=10, badge="inbox_unread"),
    )
