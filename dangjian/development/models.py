"""Member development (发展党员, DOMAIN §4): one case per person through the 25 steps.

* ``DevelopmentCase`` — the applicant's particulars (ID number and phone encrypted, masked on
  screen), the branch, the rule pack it runs under and where it stands.
* ``CaseStep`` — one row per completed step, strictly in order (a unique (case, code) and a
  service that only ever writes ``last_code + 1``).
* ``CasePublicity`` — a publicity (公示) period before a decision, linked to the board notice.
* ``CaseAssessment`` — the half-yearly activist assessments.
* ``CaseWarning`` — warnings stored when a step was recorded ([warn] rules).
* ``LocalHoliday`` — the local working-day calendar on top of the national one.
* ``ReminderSent`` — which reminder went out (the daily job never sends one twice).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.fields import EncryptedTextField
from dangjian.core.models import Organization
from dangjian.core.privacy import normalize_id_number, normalize_phone
from dangjian.core.scoping import OrgPathField
from dangjian.members.api import Category, Education, Gender


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("development case status", "Open")
    ADMITTED = "admitted", _("Closed: admitted as a full member")
    STOPPED = "stopped", _("Closed: stopped")


class DevelopmentCase(models.Model):
    scope_resource = "development"  # its POLICY resource: core.policy registers it at start-up
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="development_cases")
    org_path = OrgPathField(source="org", db_index=False)  # led by Meta index devcase_orgpath_id
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=16, default="汉族")
    education = models.CharField(_("education"), max_length=16, choices=Education.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.OTHER)
    work_unit = models.CharField(_("work unit"), max_length=200, blank=True, default="")
    id_number = EncryptedTextField(_("ID number"), blind_index="id_number_bidx", normalizer=normalize_id_number)
    id_number_bidx = models.CharField(max_length=64, null=True, blank=True)
    phone = EncryptedTextField(_("phone"), blind_index="phone_bidx", normalizer=normalize_phone)
    phone_bidx = models.CharField(max_length=64, null=True, blank=True)
    rule_pack = models.CharField(_("rule pack version"), max_length=16)
    rule_items = models.JSONField(default=dict, blank=True)
    last_code = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    stop_reason = models.CharField(_("reason for stopping"), max_length=300, blank=True, default="")
    probation_end = models.DateField(_("probation ends on"), null=True, blank=True)
    extended_months = models.PositiveSmallIntegerField(default=0)
    # The 支部大会 that extended the probation (党章 art. 7): its date and its vote (应到/实到, yes,
    # no, abstentions, written opinions — the counts of the admission and conversion votes).
    extended_on = models.DateField(_("probation extended on"), null=True, blank=True)
    extension_vote = models.JSONField(default=dict, blank=True)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["org_path", "id"]
        indexes = [models.Index(fields=["org_path", "id"], name="devcase_orgpath_id"),
                   models.Index(fields=["id_number_bidx"], name="devcase_id_bidx"),
                   models.Index(fields=["status", "last_code"], name="devcase_status_code")]
        verbose_name = _("development case")
        verbose_name_plural = _("development cases")

    def __str__(self) -> str:
        return self.name

    @property
    def next_code(self) -> int | None:
        from .rules import LAST_STEP

        return self.last_code + 1 if self.status == CaseStatus.OPEN and self.last_code < LAST_STEP else None

    @property
    def pack(self):
        from .rules import get_pack

        return get_pack(self.rule_pack, self.rule_items)


class CaseStep(models.Model):
    scope_unlisted = "read only through its development case"
    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="steps")
    org_path = OrgPathField(source="case")
    code = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField()
    date = models.DateField(_("date"))
    body = models.CharField(_("responsible body"), max_length=32)
    documents = models.JSONField(default=list, blank=True)  # [{"name": ..., "checked": bool}]
    conclusion = models.CharField(_("conclusion"), max_length=32, blank=True, default="")
    note = models.TextField(_("note"), blank=True, default="")
    data = models.JSONField(default=dict, blank=True)  # step-specific: training days/hours, vote counts...
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "order"]
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="devstep_unique_code")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.code}"


class PublicityPoint(models.TextChoices):
    OBJECT = "object", _("Before listing as development object")
    ADMISSION = "admission", _("Before admission")
    CONVERSION = "conversion", _("Before conversion to full membership")


class CasePublicity(models.Model):
    scope_unlisted = "read only through its development case"
    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="publicities")
    org_path = OrgPathField(source="case")
    point = models.CharField(max_length=16, choices=PublicityPoint.choices)
    starts_on = models.DateField(_("publicity starts on"))
    working_days = models.PositiveSmallIntegerField(default=5)
    notice_id = models.IntegerField(null=True, blank=True)
    # Posted on a physical board only (no online notice): the secretary attests the date.
    offline = models.BooleanField(_("posted on a physical board"), default=False)
    text = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "point"], name="devpub_unique_point")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.point} {self.starts_on}"


class CaseAssessment(models.Model):
    scope_unlisted = "read only through its development case"
    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="assessments")
    org_path = OrgPathField(source="case")
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True, default="")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "date", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.date}"


class CaseWarning(models.Model):
    scope_unlisted = "read only through its development case"
    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="warnings")
    org_path = OrgPathField(source="case")
    step_code = models.PositiveSmallIntegerField(null=True, blank=True)
    rule_id = models.CharField(max_length=40)
    article = models.CharField(max_length=120)
    rule_version = models.CharField(max_length=16)
    severity = models.CharField(max_length=8)
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.rule_id}"


class LocalHoliday(models.Model):
    """A local exception to the national calendar for an organization's subtree (e.g. a county's
    own holiday, or a make-up working day). ``is_working_day`` True makes a day a working day."""
    scope_resource = "development"  # its POLICY resource: core.policy registers it at start-up

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    org_path = OrgPathField(source="org")
    date = models.DateField(_("date"))
    is_working_day = models.BooleanField(_("is a working day"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["date", "org_path"]
        constraints = [models.UniqueConstraint(fields=["org", "date"], name="devholiday_unique_org_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.note}"


def document_path(instance, filename: str) -> str:
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"development/{instance.case_id}/{uuid.uuid4().hex}.{ext}"


class CaseDocument(models.Model):
    """A scanned document of a recorded step (private file, served only through the scope;
    images re-encoded without EXIF, type checked by content)."""
    scope_resource = "development"  # its POLICY resource: core.policy registers it at start-up

    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="documents")
    org_path = OrgPathField(source="case")
    step_code = models.PositiveSmallIntegerField(_("step"))
    file = models.FileField(upload_to=document_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "step_code", "id"]

    def __str__(self) -> str:
        return self.name


class ReminderSent(models.Model):
    case = models.ForeignKey(DevelopmentCase, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="devreminder_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.key}"
