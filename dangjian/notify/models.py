"""Notification models: the in-app inbox, per-user preferences and the delivery ledger.

The ledger (:class:`Delivery`) records what happened to every SMS / e-mail a call to
``notify`` asked for: queued into the outbox, deferred to the end of the recipient's quiet
hours, or skipped with a reason (rate limit, no phone, opted out). It never holds a phone
number: the recipient is a reference (``member:<id>`` / ``user:<id>``) and the number is read
from the encrypted field only when the outbox worker delivers.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ALL_KINDS = "*"


class InboxMessage(models.Model):
    """One message in one user's in-app inbox, rendered in the user's language when sent."""

    scoping_exempt = ("read only by its recipient (user), never by organization scope; org_path records the "
                      "sending organization's path as it was when sent")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_messages")
    kind = models.CharField(pgettext_lazy("message", "kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True, default="")
    link = models.CharField(_("link"), max_length=500, blank=True, default="")
    org_path = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the header badge: COUNT(*) WHERE user_id = ? AND read_at IS NULL
            models.Index(fields=["user"], name="inbox_unread_by_user", condition=Q(read_at__isnull=True)),
            models.Index(fields=["user", "-created_at", "-id"], name="inbox_user_recent"),
            models.Index(fields=["user", "kind", "-created_at"], name="inbox_user_kind"),
        ]
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's choices, for one message kind or for all (``kind="*"``); a row for the kind
    wins over the ``*`` row, which wins over the defaults in ``settings.DANGJIAN_NOTIFY``.

    Quiet hours are local times (Asia/Shanghai); ``start == end`` means no quiet hours. SMS
    that falls in quiet hours is not dropped but deferred to their end.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("message kind"), max_length=64, default=ALL_KINDS)
    inbox = models.BooleanField(_("in-app inbox"), default=True)
    sms = models.BooleanField(_("SMS"), default=True)
    email = models.BooleanField(_("e-mail"), default=True)
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True, default="", choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notify_pref_user_kind")]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued for delivery")
    DEFERRED = "deferred", _("Deferred to the end of quiet hours")
    SKIPPED = "skipped", _("Skipped")


class Delivery(models.Model):
    """What ``notify`` decided for one recipient on one outbound channel (SMS, e-mail)."""

    scoping_exempt = ("a ledger read by recipient and channel (rate window, deferred sends), never by organization "
                      "scope; org_path records the sending organization's path as it was when decided")

    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=16)
    recipient = models.CharField(max_length=64)  # "member:<id>" / "user:<id>", never a phone number
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices)
    reason = models.CharField(max_length=32, blank=True, default="")
    send_after = models.DateTimeField(default=timezone.now)
    to = models.CharField(max_length=254, blank=True, default="")  # the outbox address (a reference or an e-mail)
    payload = models.JSONField(default=dict, blank=True)  # kept only while deferred
    outbox_id = models.BigIntegerField(null=True, blank=True)
    org_path = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["channel", "recipient", "send_after"], name="delivery_rate_window"),
            models.Index(fields=["send_after"], name="delivery_deferred_due", condition=Q(status="deferred")),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient} {self.status} {self.reason}"
