"""Publicity boards (三务公开) and the honour roll (时代先锋).

Issue 5 "Publicity boards and honour roll"; seed 001 (南湖镇 "党务公开": 通知公告, 财务公示,
发展党员公示, 党费公示, 督查通报; "时代先锋": 优秀党支部, 优秀共产党员).

* :class:`Notice` — one notice on one board of one organization. What the public sees is
  ``current`` (the last approved version); the working copy is ``latest``. A published notice is
  never edited in place: an edit adds a :class:`NoticeVersion` that must be approved again.
* :class:`NoticeVersion` — numbered, immutable once approved (title, body, attachments).
* :class:`NoticeAttachment` — a file of one version (pdf / images re-encoded / xlsx) in the
  private MEDIA_ROOT, served only through views that check visibility.
* :class:`HonourEntry` — an excellent branch (优秀基层党组织) or member (优秀共产党员) of a year,
  selected by a superior organization with a citation.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.models import Organization, path_index
from dangjian.core.scoping import OrgPathField


class Board(models.TextChoices):
    PARTY = "party", _("Party affairs")
    VILLAGE = "village", _("Village affairs")
    FINANCE = "finance", _("Finance")
    DEVELOPMENT = "development", _("Member development publicity")
    DUES = "dues", _("Party dues publicity")
    SUPERVISION = "supervision", _("Supervision bulletins")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("notice", "Draft")
    PENDING = "pending", pgettext_lazy("notice", "Pending approval")
    PUBLISHED = "published", pgettext_lazy("notice", "Published")
    WITHDRAWN = "withdrawn", pgettext_lazy("notice", "Withdrawn")


class VersionState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("version", "Draft")
    PENDING = "pending", pgettext_lazy("version", "Pending approval")
    APPROVED = "approved", pgettext_lazy("version", "Approved")
    REJECTED = "rejected", pgettext_lazy("version", "Returned")


class Notice(models.Model):
    """A notice on a board. ``status`` is the public state of the notice as a whole:

    * draft / pending — never published (nothing public);
    * published — ``current`` is public; a newer unapproved version may exist (``latest``);
    * withdrawn — nothing public any more (kept for the record, with the reason).
    """
    scope_resource = "publicity"  # its POLICY resource: core.policy registers it at start-up

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="notices", verbose_name=_("organization"))
    org_path = OrgPathField(source="org", db_index=False)  # led by Meta index notice_org_path_like
    board = models.CharField(_("board"), max_length=16, choices=Board.choices)
    status = models.CharField(_("status"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    current = models.ForeignKey("NoticeVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    latest = models.ForeignKey("NoticeVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source record"), max_length=120, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    revised_at = models.DateTimeField(_("revised at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True, default="")

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            path_index("org_path", "notice_org_path_like"),
            models.Index(fields=["status", "board", "org_path"], name="notice_public"),
            models.Index(fields=["source"], name="notice_source"),
        ]
        constraints = [
            # P4: one live notice per generating record and board (a withdrawn one may be re-made)
            models.UniqueConstraint(fields=["org", "board", "source"], name="notice_unique_live_source",
                                    condition=~models.Q(source="") & ~models.Q(status="withdrawn")),
        ]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        v = self.latest or self.current
        return v.title if v else f"notice {self.pk}"

    @property
    def is_revised(self) -> bool:
        return bool(self.current_id and self.current.number > 1)

    @property
    def has_unpublished_revision(self) -> bool:
        return bool(self.latest_id and self.latest_id != self.current_id and self.latest.state != VersionState.APPROVED)

    @property
    def title(self) -> str:
        return str(self)


class NoticeVersion(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=12, choices=VersionState.choices, default=VersionState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for return"), blank=True, default="")
    # P6: the author confirmed that the mobile numbers in this version are public contact numbers
    public_phones = models.BooleanField(_("phone numbers confirmed as public contact numbers"), default=False)

    class Meta:
        ordering = ["notice", "number"]
        constraints = [models.UniqueConstraint(fields=["notice", "number"], name="noticeversion_unique_number")]
        verbose_name = _("notice version")

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    @property
    def org_path(self) -> str:
        return self.notice.org_path

    @property
    def is_public(self) -> bool:
        """Readable without login: approved, and its notice is published (not withdrawn)."""
        return self.state == VersionState.APPROVED and self.notice.status == NoticeStatus.PUBLISHED


class NoticeAttachment(models.Model):
    scope_resource = "publicity"  # its POLICY resource: core.policy registers it at start-up
    version = models.ForeignKey(NoticeVersion, on_delete=models.CASCADE, related_name="attachments")
    org_path = OrgPathField(source="version.notice", db_index=False)  # led by Meta index noticeatt_org_path_like
    file = models.FileField(upload_to="publicity/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "id"]
        indexes = [path_index("org_path", "noticeatt_org_path_like")]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class HonourKind(models.TextChoices):
    BRANCH = "branch", _("Excellent primary Party organization")
    MEMBER = "member", _("Excellent Communist Party member")


class HonourEntry(models.Model):
    """An honour of one year (时代先锋). ``org``/``org_path`` is the honoured organization (for a
    member: the member's branch at selection); ``selected_by_org`` the superior that selected it.
    Names are snapshots: the public page never reads the member record (no ID, no phone)."""
    scope_resource = "honour"  # its POLICY resource: core.policy registers it at start-up

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("honour"), max_length=8, choices=HonourKind.choices)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="honours", verbose_name=_("organization"))
    org_path = OrgPathField(source="org", db_index=False)  # led by Meta index honour_org_path_like
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="honours")
    display_name = models.CharField(_("name"), max_length=200)
    org_name = models.CharField(_("organization"), max_length=200)
    citation = models.TextField(_("citation"))
    selected_by_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("selected by"))
    selected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True, default="")

    class Meta:
        ordering = ["-year", "kind", "org_path", "id"]
        indexes = [path_index("org_path", "honour_org_path_like"), models.Index(fields=["year", "kind"], name="honour_year_kind")]
        verbose_name = _("honour roll entry")
        verbose_name_plural = _("honour roll entries")

    def __str__(self) -> str:
        return f"{self.year} {self.display_name}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
