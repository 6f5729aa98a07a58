"""Democratic appraisal of members (民主评议党员, DOMAIN §6 and §11 "Democratic appraisal").

One ``AppraisalRound`` per branch and year walks the stages of DOMAIN §6: self-appraisal →
mutual appraisal → democratic assessment (民主测评, anonymous) → grade proposed by the 支委会 →
closed (read-only). ``Participant`` is a member's part in a round (exempt members are listed,
not graded; members whose rights are restricted are graded but cast no ballot).

Anonymity of the assessment (无记名, DOMAIN §6): ``Voted`` says *that* a participant voted (one
row per voter and round, unique) and ``Ballot``/``BallotMark`` say *what* was voted, with no
link back: no voter column, no timestamp, random UUID keys, marks inserted in random order, and
the whole ballot box rewritten in random order when the assessment stage ends (so the physical
row order no longer follows the voting order either).

A 不合格 grade opens a ``DispositionCase`` when the round is closed: the transfers app's case
kinds (停止党籍 / 自行脱党) do not fit, and the decision (education, 限期改正, 劝退, 除名) is taken
by people; the system never removes anyone.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.models import Organization
from dangjian.core.scoping import OrgPathField


class Stage(models.TextChoices):
    SELF = "self", _("Self-appraisal")
    MUTUAL = "mutual", _("Mutual appraisal")
    ASSESSMENT = "assessment", _("Democratic assessment (anonymous)")
    GRADING = "grading", _("Grading by the branch committee")
    CLOSED = "closed", pgettext_lazy("appraisal", "Closed")


STAGE_ORDER = [Stage.SELF, Stage.MUTUAL, Stage.ASSESSMENT, Stage.GRADING, Stage.CLOSED]


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    QUALIFIED = "qualified", _("Qualified (合格)")
    BASIC = "basic", _("Basically qualified (基本合格)")
    UNQUALIFIED = "unqualified", _("Unqualified (不合格)")


GRADE_ORDER = [Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASIC, Grade.UNQUALIFIED]


class AppraisalRound(models.Model):
    scope_resource = "appraisal"  # its POLICY resource: core.policy registers it at start-up
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org")
    year = models.PositiveSmallIntegerField(_("year"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.SELF)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    meeting = models.ForeignKey("orglife.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("appraisal meeting"))
    rule_version = models.CharField(max_length=200, blank=True, default="")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reminded_on = models.DateField(null=True, blank=True)  # last reminder sent (at most one a day)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="appraisal_round_org_year")]
        verbose_name = _("appraisal round")

    def __str__(self) -> str:
        return f"{self.org.name} {self.year}"

    @property
    def closed(self) -> bool:
        return self.stage == Stage.CLOSED

    @property
    def next_stage(self) -> str | None:
        i = STAGE_ORDER.index(self.stage)
        return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) else None


class Participant(models.Model):
    scope_resource = "appraisal_entry"  # its POLICY resource: core.policy registers it at start-up
    scope_self = "member__user"  # the user whose own row it is (SELF)
    round = models.ForeignKey(AppraisalRound, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="appraisals")
    org_path = OrgPathField(source="round")  # the round's organization (scope)
    name = models.CharField(max_length=64)  # snapshot at the start of the round
    probationary = models.BooleanField(default=False)
    exempt_basis = models.CharField(max_length=8, blank=True, default="")  # orglife ExemptionBasis, "" = takes part
    restricted = models.BooleanField(default=False)  # rights restricted on the day: no ballot
    may_vote = models.BooleanField(default=False)
    self_text = models.TextField(_("self-appraisal"), blank=True, default="")
    self_at = models.DateTimeField(null=True, blank=True)
    self_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    self_by_proxy = models.BooleanField(default=False)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True, default="")
    grade_reason = models.CharField(pgettext_lazy("appraisal", "reason"), max_length=500, blank=True, default="")
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="appraisal_participant_once")]
        verbose_name = _("participant")

    def __str__(self) -> str:
        return f"{self.name} ({self.round})"

    @property
    def exempt(self) -> bool:
        return bool(self.exempt_basis)


class MutualComment(models.Model):
    """Mutual appraisal (互评): open, named comments — one per author per subject (DOMAIN §6)."""
    scope_unlisted = "read only through its round (the round's results and the author's own page)"

    round = models.ForeignKey(AppraisalRound, on_delete=models.CASCADE, related_name="comments")
    org_path = OrgPathField(source="round")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="comments_written")
    subject = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="comments_received")
    text = models.CharField(_("comment"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["subject", "id"]
        constraints = [models.UniqueConstraint(fields=["author", "subject"], name="appraisal_comment_once")]

    def __str__(self) -> str:
        return f"{self.author.name} → {self.subject.name}"


class Voted(models.Model):
    """That a participant cast their ballot in a round — and nothing about what or when."""

    round = models.ForeignKey(AppraisalRound, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    paper = models.BooleanField(default=False)  # handed in a paper ballot at the meeting

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "participant"], name="appraisal_voted_once")]

    def __str__(self) -> str:
        return f"voted: {self.participant_id}"


class Ballot(models.Model):
    """One anonymous ballot: no voter, no time; a random key (DOMAIN §6 无记名). ``paper``: a
    paper ballot from the meeting's ballot box, entered by the branch staff."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(AppraisalRound, on_delete=models.CASCADE, related_name="+")
    paper = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "ballot"


class BallotMark(models.Model):
    """One rating on a ballot: a participant and a grade."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="marks")
    subject = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    grade = models.CharField(max_length=12, choices=Grade.choices)

    def __str__(self) -> str:
        return f"{self.subject_id}: {self.grade}"


class Outcome(models.TextChoices):
    EDUCATION = "education", _("Education and help (批评教育)")
    CORRECT = "correct", _("Correct within a time limit (限期改正)")
    PERSUADE = "persuade", _("Persuade to withdraw (劝退)")
    EXPEL = "expel", _("Remove from the Party (除名)")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open, awaiting the branch's decision")
    DECIDED = "decided", pgettext_lazy("appraisal", "Decided")


class DispositionCase(models.Model):
    """What the branch decides about a member graded 不合格 (DOMAIN §6 "education first, then
    organisational disposition by procedure"). Recorded by people; nothing here changes membership."""
    scope_resource = "appraisal_case"  # its POLICY resource: core.policy registers it at start-up

    round = models.ForeignKey(AppraisalRound, on_delete=models.PROTECT, related_name="cases")
    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, related_name="case")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org")
    basis = models.CharField(_("basis"), max_length=500)
    opened_on = models.DateField(default=timezone.localdate)
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices, blank=True, default="")
    correct_until = models.DateField(_("correct by"), null=True, blank=True)
    help_plan = models.TextField(_("help plan (帮教措施)"), blank=True, default="")
    reminded_before_on = models.DateField(null=True, blank=True)  # the reminder before the time limit ends
    reminded_end_on = models.DateField(null=True, blank=True)  # the reminder when it has ended
    decision_note = models.CharField(_("decision and body that took it"), max_length=500, blank=True, default="")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("disposition case")

    def __str__(self) -> str:
        return f"{self.member.name}: {self.round}"
