"""Elections and terms (换届选举与任期): terms of an organization's committee, the committee
members and their positions, election records with candidates and votes, term adjustments
(postponement / advance) approved by the upper organization, and voting-rights restrictions
(留党察看, detention) that exclude a member from voting and standing (DOMAIN §1.2, §2, §11).

The organization's *current* term dates stay on ``Organization.term_started_on/term_ends_on``
(owned by core, set through ``core.services.update_organization``); ``Term`` keeps the history.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.models import Organization
from dangjian.core.scoping import OrgPathField


class Term(models.Model):
    scope_unlisted = "read only through its organization's election pages"
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org")
    number = models.PositiveSmallIntegerField(_("term number (届次)"))
    started_on = models.DateField(_("started on"))
    ends_on = models.DateField(_("ends on"))
    planned_ends_on = models.DateField(_("regular end"))
    election = models.OneToOneField("Election", null=True, blank=True, on_delete=models.SET_NULL, related_name="term")
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return f"{self.org.name} #{self.number}"


class OfficerPosition(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    ORGANIZATION = "organization", _("Organization committee member")
    PROPAGANDA = "propaganda", _("Propaganda committee member")
    DISCIPLINE = "discipline", _("Discipline-inspection committee member")
    COMMITTEE = "committee", _("Committee member")


APPROVED_POSITIONS = (OfficerPosition.SECRETARY, OfficerPosition.DEPUTY_SECRETARY)


class CommitteeMember(models.Model):
    """A seat on the committee for one term. Committee members are filed (备案) with the upper
    organization after the election — ``filed_on`` is entered by the upper organization; a
    secretary / deputy secretary is "in office" only once the upper organization's approval (批准)
    is recorded, any other member once the filing is (DOMAIN §2, §11 "Record 委员 filing and
    书记/副书记 approval by the upper org before they count as in office")."""
    scope_resource = "election"  # its POLICY resource: core.policy registers it at start-up

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="seats")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="committee_seats")
    position = models.CharField(_("position"), max_length=20, choices=OfficerPosition.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.member.name} ({self.get_position_display()})"

    @property
    def needs_approval(self) -> bool:
        return self.position in APPROVED_POSITIONS

    @property
    def in_office(self) -> bool:
        if self.ended_on is not None:
            return False
        return self.approved_on is not None if self.needs_approval else self.filed_on is not None


class ElectionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("elections", "Draft")
    RECORDED = "recorded", _("Result recorded")


class VoteBase(models.TextChoices):
    ENTITLED = "entitled", _("Of those entitled to attend (应到)")
    PRESENT = "present", _("Of those present (实到)")


class Election(models.Model):
    scope_resource = "election"  # its POLICY resource: core.policy registers it at start-up
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org")
    meeting = models.ForeignKey("orglife.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("election meeting"))
    held_on = models.DateField(_("held on"))
    seats = models.PositiveSmallIntegerField(_("seats"))
    entitled = models.PositiveIntegerField(_("voters entitled to attend (应到)"))
    present = models.PositiveIntegerField(_("voters present (实到)"))
    base = models.CharField(_("majority of"), max_length=10, choices=VoteBase.choices, default=VoteBase.ENTITLED)
    status = models.CharField(max_length=10, choices=ElectionStatus.choices, default=ElectionStatus.DRAFT)
    warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.org.name} {self.held_on}"


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveIntegerField(null=True, blank=True)
    elected = models.BooleanField(default=False)
    position = models.CharField(_("position"), max_length=20, choices=OfficerPosition.choices, blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="election_candidate_once")]


    def __str__(self) -> str:
        return f"{self.member.name}: {self.votes}"

class AdjustKind(models.TextChoices):
    POSTPONE = "postpone", _("Postpone the election (延期换届)")
    ADVANCE = "advance", _("Advance the election (提前换届)")


class AdjustStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the upper organization")
    APPROVED = "approved", pgettext_lazy("elections", "Approved")
    REFUSED = "refused", pgettext_lazy("elections", "Refused")


class TermAdjustment(models.Model):
    scope_resource = "election"  # its POLICY resource: core.policy registers it at start-up
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org")
    kind = models.CharField(_("kind"), max_length=10, choices=AdjustKind.choices)
    old_ends_on = models.DateField(_("current end"))
    new_ends_on = models.DateField(_("new end"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(max_length=10, choices=AdjustStatus.choices, default=AdjustStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-requested_at", "-id"]


    def __str__(self) -> str:
        return f"{self.org.name}: {self.old_ends_on} → {self.new_ends_on}"

class TermReminder(models.Model):
    """One reminder per organization and term end (so the daily job never repeats itself)."""

    scoping_exempt = ("bookkeeping of the daily term-end reminder job (one row per organization and term end): "
                      "read only by that job through the organization itself, never by organization scope")

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    ends_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "ends_on"], name="term_reminder_once")]

    def __str__(self) -> str:
        return f"{self.org.name}: {self.ends_on}"
