"""Meeting records (会议记录): versions, votes, attachments, sign-off and the hash chain.

DOMAIN.md §1.3 (what a record contains), §1.2 (quorum of votes) and §11 "三会一课 & org life"
("[block] closing a meeting record without ...; host + recorder sign-off; records become
append-only after sign-off (hash chain)").

* A ``MeetingRecord`` is one *version* of the minutes of one ``orglife.Meeting``. Version 1 is
  drafted by the secretary/committee; once host and recorder have both signed it becomes
  ``SIGNED``: read-only, its canonical content hashed and chained to the previous signed record
  of the same organization. A correction is a new version (``previous`` → the old one), drafted
  and signed again; the old version stays readable, marked superseded.
* ``Vote`` rows belong to a record (meeting types with ``voting=True``); the result is computed
  by ``quorum.check_vote``, never typed.
* ``Attachment`` rows are photos (re-encoded, EXIF stripped) and files under MEDIA_ROOT, served
  only through a scoped view.

Signed records, their votes and attachments refuse changes in ``save()``/``delete()`` as well as
in the services (defence in depth; a raw ``queryset.update`` bypasses both and is what
``services.verify_chain`` detects).
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.models import Organization
from dangjian.core.scoping import OrgPathField

GENESIS = "0" * 64


class RecordStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("minutes", "Draft")
    SIGNED = "signed", pgettext_lazy("minutes", "Signed off")


# The fields a signer signs: everything of DOMAIN §1.3 (copied from the meeting at drafting time
# so a later change of the meeting does not silently change a signed record).
CONTENT_FIELDS = (
    "meeting_name", "type_name", "session_label", "starts_at", "ends_at", "place",
    "host", "host_name", "recorder", "recorder_name", "should_attend", "attended",
    "present_names", "absentees", "sitting_in", "agenda", "speeches", "decisions",
    "open_items", "summary",
)
SIGNATURE_FIELDS = ("host_signed_at", "host_signed_by", "recorder_signed_at", "recorder_signed_by")
SEALED_FIELDS = CONTENT_FIELDS + SIGNATURE_FIELDS + (
    "meeting", "org", "org_path", "version", "previous", "status", "signed_at", "chain_seq",
    "content_hash", "prev_hash",
)


class RecordLocked(ValidationError):
    """A signed record (or a vote/attachment of one) was asked to change."""


class MeetingRecord(models.Model):
    scope_resource = "meeting"  # its POLICY resource: core.policy registers it at start-up
    meeting = models.ForeignKey("orglife.Meeting", on_delete=models.PROTECT, related_name="records")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org", db_index=False)  # led by Meta index minutes_orgpath_signed
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction")
    status = models.CharField(max_length=8, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    correction_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True, default="")

    # -- organisation part (DOMAIN §1.3) -------------------------------------------------
    meeting_name = models.CharField(_("meeting name"), max_length=200, blank=True, default="")
    type_name = models.CharField(_("meeting type"), max_length=80, blank=True, default="")
    session_label = models.CharField(_("term / session (届次)"), max_length=80, blank=True, default="")
    starts_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True, default="")
    host = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("host"))
    host_name = models.CharField(max_length=100, blank=True, default="")
    recorder = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorder"))
    recorder_name = models.CharField(max_length=100, blank=True, default="")
    # 应到 / 实到: snapshot of orglife.selectors.attendance_summary (editable only via attendance)
    should_attend = models.PositiveIntegerField(null=True, blank=True)
    attended = models.PositiveIntegerField(null=True, blank=True)
    present_names = models.TextField(blank=True, default="")
    # [{"member": id, "name": str, "status": "leave"|"absent", "reason": str}]
    absentees = models.JSONField(default=list, blank=True)
    sitting_in = models.TextField(_("sitting in (列席)"), blank=True, default="")
    # -- content part ------------------------------------------------------------------------
    agenda = models.TextField(_("agenda / topics"), blank=True, default="")
    speeches = models.TextField(_("reports, speeches and discussion"), blank=True, default="")
    decisions = models.TextField(_("decisions / resolutions"), blank=True, default="")
    open_items = models.TextField(_("open items"), blank=True, default="")
    summary = models.TextField(_("host's summary"), blank=True, default="")

    # -- closing -----------------------------------------------------------------------------
    host_signed_at = models.DateTimeField(null=True, blank=True)
    host_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorder_signed_at = models.DateTimeField(null=True, blank=True)
    recorder_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    # position in the organization's chain of signed records (1, 2, ...)
    chain_seq = models.PositiveIntegerField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, default="")
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    superseded_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="minutes_record_version"),
            models.UniqueConstraint(fields=["org", "chain_seq"], name="minutes_record_chain_seq"),
        ]
        indexes = [models.Index(fields=["org_path", "signed_at"], name="minutes_orgpath_signed")]
        verbose_name = _("meeting record")

    def __str__(self) -> str:
        return f"{self.meeting_name} v{self.version}"

    def save(self, *args, **kwargs):
        """Refuse any change of a signed record except marking it superseded."""
        if self.pk and not self._state.adding:
            old = MeetingRecord.objects.filter(pk=self.pk).first()
            if old is not None and old.status == RecordStatus.SIGNED:
                changed = [f for f in SEALED_FIELDS if _field_value(old, f) != _field_value(self, f)]
                if changed:
                    raise RecordLocked(_("This record is signed off and read-only; make a correction (a new version) instead."), code="locked")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == RecordStatus.SIGNED:
            raise RecordLocked(_("A signed-off record cannot be deleted."), code="locked")
        return super().delete(*args, **kwargs)

    @property
    def signed(self) -> bool:
        return self.status == RecordStatus.SIGNED

    @property
    def superseded(self) -> bool:
        return self.superseded_at is not None


def _field_value(obj, name):
    field = obj._meta.get_field(name)
    return getattr(obj, field.attname)


class VoteKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary motion")
    ADMISSION = "admission", _("Admission of a probationary member (接收预备党员)")
    CONVERSION = "conversion", _("Conversion to full membership (预备党员转正)")


class Vote(models.Model):
    """One vote of a 支部党员大会 (DOMAIN §1.2): counts checked by ``quorum.check_vote``."""
    scope_resource = "meeting"  # its POLICY resource: core.policy registers it at start-up

    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="votes")
    org_path = OrgPathField(source="record")
    motion = models.CharField(_("motion"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=VoteKind.choices, default=VoteKind.ORDINARY)
    candidate = models.CharField(_("candidate"), max_length=100, blank=True, default="")
    voters_total = models.PositiveIntegerField(_("voting members who should attend (应到)"))
    voters_present = models.PositiveIntegerField(_("voting members present (实到)"))
    yes = models.PositiveIntegerField(_("yes"))
    no = models.PositiveIntegerField(_("no"))
    abstain = models.PositiveIntegerField(_("abstain"))
    written_yes = models.PositiveIntegerField(_("written opinions in favour"), default=0)
    written_total = models.PositiveIntegerField(_("written opinions of absent voters"), default=0)
    passed = models.BooleanField(default=False)
    result_code = models.CharField(max_length=24, default="")
    rule_version = models.CharField(max_length=200, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["record", "id"]
        verbose_name = _("vote")

    def __str__(self) -> str:
        return self.motion

    def save(self, *args, **kwargs):
        if MeetingRecord.objects.filter(pk=self.record_id, status=RecordStatus.SIGNED).exists():
            raise RecordLocked(_("This record is signed off and read-only; make a correction (a new version) instead."), code="locked")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if MeetingRecord.objects.filter(pk=self.record_id, status=RecordStatus.SIGNED).exists():
            raise RecordLocked(_("This record is signed off and read-only; make a correction (a new version) instead."), code="locked")
        return super().delete(*args, **kwargs)


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    SIGNIN_SHEET = "signin_sheet", _("Sign-in sheet (签到表)")
    MATERIAL = "material", _("Meeting material")


def attachment_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"minutes/{instance.org_path.strip('/').replace('/', '-') or 'root'}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    """A photo or file of a record. Images are re-encoded (no EXIF); type is checked by content."""
    scope_resource = "meeting"  # its POLICY resource: core.policy registers it at start-up

    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="attachments")
    org_path = OrgPathField(source="record")
    kind = models.CharField(_("kind"), max_length=14, choices=AttachmentKind.choices, default=AttachmentKind.PHOTO)
    title = models.CharField(_("title"), max_length=200, blank=True, default="")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["record", "id"]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.title or self.original_name

    def save(self, *args, **kwargs):
        if MeetingRecord.objects.filter(pk=self.record_id, status=RecordStatus.SIGNED).exists():
            raise RecordLocked(_("This record is signed off and read-only; make a correction (a new version) instead."), code="locked")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if MeetingRecord.objects.filter(pk=self.record_id, status=RecordStatus.SIGNED).exists():
            raise RecordLocked(_("This record is signed off and read-only; make a correction (a new version) instead."), code="locked")
        return super().delete(*args, **kwargs)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
