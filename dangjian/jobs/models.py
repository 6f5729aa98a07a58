"""Outbox rows (deliveries written in the business transaction) and user-visible jobs."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import OrgPathField


class OutboxMessage(models.Model):
    """One delivery (an SMS, an e-mail) written in the same transaction as the business change.

    Workers claim due rows (``SKIP LOCKED`` on PostgreSQL, a conditional UPDATE on SQLite) under
    a lease, call the channel's deliverer — which passes ``pk`` to the gateway as its idempotency
    key — and mark the row sent; a failure is retried with exponential backoff and jitter until
    ``dead``; a row whose lease expired (its worker died) is claimed again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Given up")

    channel = models.CharField(max_length=32)
    to = models.CharField(max_length=200, help_text="Opaque recipient reference (e.g. member:123), never a phone in clear.")
    payload = models.JSONField(default=dict, blank=True)
    dedup_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=120, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["status", "claimed_until"], name="outbox_lease_idx"),
            models.Index(fields=["claimed_by"], name="outbox_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} {self.status}"


class Job(models.Model):
    """Long user-visible work (an export): progress, a note, a result file, its own page."""
    scope_unlisted = "each job carries its own access rows (Job.access), checked when it is opened"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="jobs")
    # the exported organization's path, given by the starter (create_job); a retry copies the path
    # of the job it retries (retry_of), and an organization move rewrites it (audit rows of the job)
    org_path = OrgPathField(source="retry_of", blank=True, default="")
    title = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True, default="")
    result_name = models.CharField(max_length=200, blank=True, default="", help_text="File name offered on download.")
    result_file = models.CharField(max_length=200, blank=True, default="", help_text="Server-generated name under the jobs folder.")
    error = models.TextField(blank=True, default="")
    error_code = models.CharField(max_length=40, blank=True, default="", help_text="Stable code of the failure (the page translates it).")
    # What the result needs at download time, re-checked against the user's roles then:
    # [[resource, action, path], ...] (e.g. member export on the organization, member reveal for clear text).
    access = models.JSONField(default=list, blank=True)
    clear_text = models.BooleanField(default=False, help_text="The result holds unmasked personal data.")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="The result file is deleted after this (retention).")
    purged_at = models.DateTimeField(null=True, blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="job_actor_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_idx"),
            models.Index(fields=["expires_at"], name="job_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def expired(self) -> bool:
        """The result was deleted after the retention period (or is past it)."""
        return self.purged_at is not None or (self.expires_at is not None and self.expires_at <= timezone.now())
