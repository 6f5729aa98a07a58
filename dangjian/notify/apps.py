from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "dangjian.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self):
        _register_ui()
        from dangjian.core.messages import register_kinds, register_sender
        from dangjian.jobs.api import register_channel

        from . import delivery, services
        from .messages import KINDS

        register_sender(services.notify)
        register_kinds(KINDS)

        register_channel("sms", delivery.deliver_sms)
        register_channel("email", delivery.deliver_email)
        # A failed job (an export) reaches its owner's inbox with a link to its page and retry button.
        from dangjian.jobs.api import on_job_failed

        on_job_failed(_job_failed_to_inbox)


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
