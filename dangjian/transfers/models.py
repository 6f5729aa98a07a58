"""Organizational relationship (组织关系): transfers with introduction letters, flowing and
lost-contact members and the membership cases they may lead to (DOMAIN §5, §11).

Scoping: a ``Transfer`` belongs to the *sending* side (``from_path``); the proxy
``IncomingTransfer`` is the same row seen by the *receiving* side (``to_path``). The pages of
each side load their own class, so each side's POLICY resource decides.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.models import Organization
from dangjian.core.scoping import OrgPathField


class TransferKind(models.TextChoices):
    INTERNAL = "internal", _("Within the platform")
    OUT = "out", _("To an organization outside the platform")
    IN = "in", _("From an organization outside the platform")


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked by the member, awaiting the secretary")
    PENDING = "pending", _("Awaiting approval")
    ISSUED = "issued", _("Letter issued, awaiting report-in")
    ACCEPTED = "accepted", _("Received by the new organization")
    LEFT = "left", _("Letter issued, member left the platform; awaiting the receipt")
    RECEIVED = "received", _("Receipt returned")
    REGISTERED = "registered", _("Transferred in from outside")
    REJECTED = "rejected", pgettext_lazy("transfers", "Refused")
    CANCELLED = "cancelled", pgettext_lazy("transfers", "Cancelled")
    EXPIRED = "expired", _("Letter expired without report-in")


OPEN_STATUSES = (TransferStatus.REQUESTED, TransferStatus.PENDING, TransferStatus.ISSUED)
LETTER_STATUSES = (TransferStatus.ISSUED, TransferStatus.ACCEPTED, TransferStatus.LEFT, TransferStatus.RECEIVED,
                   TransferStatus.EXPIRED)


class Transfer(models.Model):
    scope_resource = "transfer"  # its POLICY resource: core.policy registers it at start-up
    scope_self = "member__user"  # the user whose own row it is (SELF)
    kind = models.CharField(_("kind"), max_length=8, choices=TransferKind.choices, default=TransferKind.INTERNAL)
    status = models.CharField(_("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="transfers")
    member_name = models.CharField(max_length=64)
    from_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_path = OrgPathField(source="from_org", db_index=False)  # led by the Meta index on from_path
    from_name = models.CharField(_("from"), max_length=200)
    to_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_path = OrgPathField(source="to_org", db_index=False)  # led by the Meta index on to_path
    to_name = models.CharField(_("to"), max_length=200)
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    letter_no = models.CharField(_("letter number"), max_length=32, null=True, blank=True, unique=True)
    issued_on = models.DateField(null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    dues_paid_to = models.DateField(_("dues paid up to (month)"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True, default="")
    reported_on = models.DateField(null=True, blank=True)
    receipt_returned_on = models.DateField(null=True, blank=True)
    external_letter_no = models.CharField(_("number of the incoming letter"), max_length=64, blank=True, default="")
    expiry_warned = models.BooleanField(default=False)
    receipt_warned = models.BooleanField(default=False)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["from_path"]), models.Index(fields=["to_path"]),
                   models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.member_name}: {self.from_name} → {self.to_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_letter(self) -> bool:
        return bool(self.letter_no) and self.kind != TransferKind.IN


class IncomingTransfer(Transfer):
    """The same transfer, seen by the receiving side (scoped by ``to_path``)."""
    scope_resource = "transfer_in"  # its POLICY resource: core.policy registers it at start-up
    scope_path = "to_path"  # the path column the resource is checked on (not the first)

    class Meta:
        proxy = True


class AwayKind(models.TextChoices):
    FLOWING = "flowing", _("Flowing member (away ≥6 months)")
    LOST = "lost", _("Lost contact")
    ABROAD = "abroad", _("Studying abroad")
    GRADUATE = "graduate", _("Graduate whose relationship stays at the school")


class AwayRecord(models.Model):
    """A member away from their branch: flowing, lost contact, abroad, or a graduate (arts. 24, 32-34)."""
    scope_resource = "flowing"  # its POLICY resource: core.policy registers it at start-up

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="away_records")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org")
    kind = models.CharField(_("kind"), max_length=10, choices=AwayKind.choices)
    since = models.DateField(_("since"))
    whereabouts = models.CharField(_("where the member is"), max_length=200, blank=True, default="")
    contact_person = models.CharField(_("contact person"), max_length=64, blank=True, default="")
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    warned_on = models.DateField(null=True, blank=True)
    # 流动党员 (教育管理条例 art. 32): the organization in the platform where a flowing member takes
    # part in org life (流入地党组织) — one home branch, several org lives; and the number of the
    # 流动党员活动证 (art. 9: its holder may pay dues at the inflow organization).
    inflow_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("inflow organization"))
    inflow_path = OrgPathField(source="inflow_org", blank=True, default="")  # empty without an inflow organization
    activity_cert_no = models.CharField(_("流动党员活动证 number"), max_length=40, blank=True, default="")

    class Meta:
        ordering = ["kind", "since", "id"]

    def __str__(self) -> str:
        return f"{self.member.name} ({self.get_kind_display()})"


class InflowRecord(AwayRecord):
    """The same flowing-member entry, seen by the inflow organization (scoped by ``inflow_path``):
    its staff see who takes part in their org life, never the rest of the member's file."""
    scope_resource = "flowing_in"  # its POLICY resource: core.policy registers it at start-up
    scope_path = "inflow_path"  # the path column the resource is checked on (not the first)

    class Meta:
        proxy = True


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    MESSAGE = "message", _("Message / WeChat")
    VISIT = "visit", _("Visit")
    LETTER = "letter", pgettext_lazy("transfers", "Letter")
    OTHER = "other", _("Other")


class ContactLog(models.Model):
    scope_unlisted = "read only through its away record"
    record = models.ForeignKey(AwayRecord, on_delete=models.CASCADE, related_name="contacts")
    org_path = OrgPathField(source="record")  # the away record's org_path
    contacted_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=10, choices=ContactMethod.choices)
    reached = models.BooleanField(_("reached the member"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-contacted_on", "-id"]


    def __str__(self) -> str:
        return f"{self.contacted_on} {self.get_method_display()}"

class CaseKind(models.TextChoices):
    STOP = "stop", _("Stop Party membership (停止党籍)")
    LAPSED = "lapsed", _("Removal as self-lapsed (自行脱党) review")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open, awaiting a decision")
    DECIDED = "decided", pgettext_lazy("transfers", "Decided")
    DISMISSED = "dismissed", pgettext_lazy("transfers", "Dismissed")


class MembershipCase(models.Model):
    """A case for humans to decide; the system never stops or removes anyone by itself (art. 24)."""
    scope_resource = "flowing"  # its POLICY resource: core.policy registers it at start-up

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="membership_cases")
    record = models.ForeignKey(AwayRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org")
    kind = models.CharField(_("kind"), max_length=8, choices=CaseKind.choices)
    basis = models.CharField(_("basis"), max_length=300)
    opened_on = models.DateField(default=timezone.localdate)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision_note = models.CharField(_("decision and body that took it"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member.name}: {self.get_kind_display()}"
