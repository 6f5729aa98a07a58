"""Organizational life (组织生活): meeting types, meetings and attendance.

DOMAIN.md §1.1 (frequencies, participants), §1.2 (quorum) and §11 "三会一课 & org life".
Other apps read these models:

* ``minutes`` records a meeting and, on sign-off, sets ``Meeting.status = RECORDED`` — only a
  RECORDED meeting counts as *held* for completion status (``HELD_STATUSES``);
* ``supervision`` computes done / due / overdue per organization, type and period from held
  meetings, and attendance rates from ``Attendance``.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.models import Organization
from dangjian.core.scoping import OrgPathField


class Audience(models.TextChoices):
    """Who is invited by default (DOMAIN §1.1 "participants")."""

    ALL = "all", _("All members of the branch")
    COMMITTEE = "committee", _("Branch committee members")
    GROUP = "group", _("Members of one Party group")
    CUSTOM = "custom", _("Chosen members")


class Frequency(models.TextChoices):
    """The period within which a required meeting type must be held at least ``min_per_period`` times."""

    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Yearly")
    NONE = "none", _("No fixed frequency")


class MeetingType(models.Model):
    """A kind of meeting. Built-in types (owner NULL) follow DOMAIN §1.1; a county (or any
    organization) may add custom types for its subtree (``owner``/``owner_path``)."""
    scope_resource = "meeting_type"  # its POLICY resource: core.policy registers it at start-up

    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(max_length=80, blank=True, default="")
    audience = models.CharField(_("invited by default"), max_length=12, choices=Audience.choices, default=Audience.ALL)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.NONE)
    min_per_period = models.PositiveSmallIntegerField(_("at least per period"), default=1)
    required = models.BooleanField(_("counted in completion status"), default=False)
    # for yearly types held normally in one quarter (组织生活会: Q4) — 0 = any time in the year
    due_quarter = models.PositiveSmallIntegerField(default=0)
    # quorum rules of DOMAIN §1.2 apply to votes in meetings of this type (支部党员大会)
    voting = models.BooleanField(_("may take votes"), default=False)
    rule_ref = models.CharField(_("rule"), max_length=200, blank=True, default="")
    owner = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner_path = OrgPathField(source="owner", blank=True, default="")
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["owner_path", "code"], name="meetingtype_unique_code")]
        verbose_name = _("meeting type")

    def __str__(self) -> str:
        return self.name


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("meeting", "Planned")
    OPEN = "open", pgettext_lazy("meeting", "Sign-in open")
    CLOSED = "closed", pgettext_lazy("meeting", "Ended, minutes pending")
    RECORDED = "recorded", pgettext_lazy("meeting", "Minutes signed off")
    CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")


HELD_STATUSES = (MeetingStatus.RECORDED,)


def new_signin_secret() -> str:
    return secrets.token_hex(32)


class Meeting(models.Model):
    """One meeting of one organization (a branch, or a Party group for 党小组会)."""
    scope_resource = "meeting"  # its POLICY resource: core.policy registers it at start-up

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="meetings")
    org_path = OrgPathField(source="org", db_index=False)  # led by Meta index meeting_orgpath_start
    type = models.ForeignKey(MeetingType, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    host = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("host"))
    recorder = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorder"))
    # 党课: who gave it (支部工作条例 art. 16; DOMAIN §1.1: Party committee and branch secretaries ≥1 a year)
    lecturer = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("lecturer (主讲人)"))
    agenda = models.TextField(_("agenda"), blank=True, default="")
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    signin_secret = models.CharField(max_length=64, default=new_signin_secret, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # added in 0003: when sign-in was opened, the reminder sent (once), why it was cancelled
    opened_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["org_path", "starts_at"], name="meeting_orgpath_start"),
            models.Index(fields=["type", "starts_at"], name="meeting_type_start"),
        ]
        verbose_name = _("meeting")

    def __str__(self) -> str:
        return self.title

    @property
    def held(self) -> bool:
        return self.status in HELD_STATUSES


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", pgettext_lazy("attendance", "Invited")
    PRESENT = "present", pgettext_lazy("attendance", "Present")
    LATE = "late", pgettext_lazy("attendance", "Present, late")
    LEAVE = "leave", pgettext_lazy("attendance", "On leave")
    ABSENT = "absent", pgettext_lazy("attendance", "Absent")
    EXEMPT = "exempt", pgettext_lazy("attendance", "Exempt")


PRESENT_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class SigninMethod(models.TextChoices):
    NONE = "", _("Not signed in")
    QR = "qr", _("QR code on a phone")
    ROLL_CALL = "roll_call", _("Roll call by the secretary")
    DEVICE = "device", _("Sign-in device")
    FACE = "face", _("Face recognition")


class MakeupHow(models.TextChoices):
    GROUP = "group", _("Make-up session held by the branch")
    SELF_STUDY = "self_study", _("Self-study of the meeting's materials, checked by the branch")
    ONLINE = "online", _("Online study (recording, materials)")


class Attendance(models.Model):
    """One invited member at one meeting: exactly one row per (meeting, member).

    Denominator (应到) = invited rows except EXEMPT (DOMAIN §1.1, 教育管理条例 art. 23: old, frail,
    immobile or gravely ill members have no hard requirement to attend)."""
    scope_resource = "attendance"  # its POLICY resource: core.policy registers it at start-up
    scope_self = "member__user"  # the user whose own row it is (SELF)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="attendance")
    org_path = OrgPathField(source="meeting")  # the meeting's organization (scope)
    status = models.CharField(max_length=8, choices=AttendanceStatus.choices, default=AttendanceStatus.INVITED)
    method = models.CharField(max_length=10, choices=SigninMethod.choices, blank=True, default="")
    signed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")  # leave / absence / exemption
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # 补课: an absent member (or one on leave) made up the meeting's content afterwards (DOMAIN §1.1)
    makeup_on = models.DateField(_("made up on"), null=True, blank=True)
    makeup_how = models.CharField(_("how"), max_length=12, choices=MakeupHow.choices, blank=True, default="")
    makeup_note = models.CharField(_("content and check"), max_length=200, blank=True, default="")
    makeup_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique_member")]
        indexes = [models.Index(fields=["member", "meeting"], name="attendance_member")]
        verbose_name = _("attendance")

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.member_id}: {self.status}"


# -- added by the org-life app (migration 0003): leave, exemptions, devices, points -------------


class LeaveStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("leave", "Waiting for approval")
    APPROVED = "approved", pgettext_lazy("leave", "Approved")
    REJECTED = "rejected", pgettext_lazy("leave", "Rejected")


class LeaveRequest(models.Model):
    """A member's request for leave from one meeting, asked before it starts (DOMAIN §1.1:
    absentees ask for leave beforehand and make up). Approval sets the attendance to LEAVE."""
    scope_resource = "attendance"  # its POLICY resource: core.policy registers it at start-up
    scope_self = "member__user"  # the user whose own row it is (SELF)

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="leave_requests")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="leave_requests")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="meeting")  # the meeting's organization (scope)
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(max_length=8, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["meeting", "status"], name="leave_meeting_status")]
        verbose_name = _("leave request")

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.member_id}: {self.status}"


class ExemptionBasis(models.TextChoices):
    """教育管理条例 art. 23: old, frail, immobile or gravely ill members have no hard requirement."""

    OLD = "old", _("Old age")
    FRAIL = "frail", _("Frail or immobile")
    ILL = "ill", _("Gravely ill")


class Exemption(models.Model):
    """A member exempt from attending org life by rule (DOMAIN §1.1, 教育管理条例 art. 23).

    While in force, new meetings invite the member with status EXEMPT, which is left out of the
    denominator (应到). The free-text note stays on this record only; meetings show the basis."""
    scope_resource = "exemption"  # its POLICY resource: core.policy registers it at start-up

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="member")  # the member's organization when marked (scope)
    basis = models.CharField(_("basis"), max_length=8, choices=ExemptionBasis.choices)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["member", "active"], name="exemption_member_active")]
        verbose_name = _("exemption")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.basis} {self.starts_on}–{self.ends_on or ''}"


class SigninDevice(models.Model):
    """A sign-in terminal (face terminal, card reader) of one organization's subtree. It calls
    the device sign-in API with ``Authorization: Device <key>``; only a SHA-256 of the key is
    stored (the key is random, 256 bits: no slow hash needed) and the key is shown once."""
    scope_resource = "signin_device"  # its POLICY resource: core.policy registers it at start-up

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org")
    name = models.CharField(_("name"), max_length=80)
    key_prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["org_path", "name", "id"]
        verbose_name = _("sign-in device")

    def __str__(self) -> str:
        return self.name


class PointsEntry(models.Model):
    """A minimal points ledger for org-life attendance (DOMAIN §11 "Indices, points": versioned
    rule table). One row per (meeting, member, rule); written when a meeting is closed. The
    future study app owns points in general and may take these rows over."""
    scope_unlisted = "read only through its meeting and by the member it credits"

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="meeting")  # the meeting's organization
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    delta = models.IntegerField()
    reason = models.CharField(max_length=200)
    rule_id = models.CharField(max_length=60)
    rule_version = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member", "rule_id"], name="points_once_per_rule")]
        indexes = [models.Index(fields=["member", "created_at"], name="points_member")]
        verbose_name = _("points entry")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.delta:+d} ({self.rule_id})"


class HeartTalk(models.Model):
    """One heart-to-heart talk (谈心谈话) between two members of an organization (支部工作条例
    art. 19; DOMAIN §1.1: between committee members, committee and members, members; each pair
    at least once a year). Only who, when and the subject are kept — never what was said."""
    scope_resource = "heart_talk"  # its POLICY resource: core.policy registers it at start-up

    org = models.ForeignKey("core.Organization", on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org")
    held_on = models.DateField(_("held on"))
    first = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    second = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("with"))
    subject = models.CharField(_("subject"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("heart-to-heart talk")

    def __str__(self) -> str:
        return f"{self.held_on} {self.first_id}–{self.second_id}"
