"""Party dues (党费) records — 中组发〔2008〕3号 《关于中国共产党党费收缴、使用和管理的规定》.

* ``DuesProfile``   one per member: dues category, monthly base (after-tax regular pay, art. 1),
  fixed amount for farmers (art. 6), the month it applies from; every change is kept in
  ``DuesProfileChange`` (annual re-base in January, change on salary change: art. 10 + practice).
* ``HardshipApproval`` reduced or exempt dues (art. 7): branch study record + approval record of
  the next-higher Party committee.
* ``DuesBill``      what one member owes for one month (one row per member and month).
* ``DuesPayment``   one payment recorded by a branch officer (who, when, how); it settles whole
  monthly bills and may carry a voluntary extra (art. 11: ≥1000 yuan is remitted to the Centre).
* ``ArrearsNotice`` one row per arrears warning sent (1 and 3 months), so the daily job is idempotent.
* ``ReviewCase``    6 consecutive unpaid months without approved reason (art. 13): a case for the
  branch; the decision is taken by the 支部大会 and recorded by a person. Nobody is removed by the system.

Every row carries ``org_path`` (the member's organization path) for the one rule of visibility.
Money is ``Decimal`` with two places (yuan).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.scoping import OrgPathField

MONEY = {"max_digits": 12, "decimal_places": 2}


class DuesCategory(models.TextChoices):
    SALARIED = "salaried", _("In service (salaried)")
    ANNUAL_SALARY = "annual_salary", _("Annual salary (pay actually received each month)")
    SELF_EMPLOYED = "self_employed", _("Self-employed or without fixed monthly income (previous quarter's average)")
    RETIRED = "retired", _("Retired")
    FARMER = "farmer", _("Farmer")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Laid-off or unemployed")
    LOW_INCOME = "low_income", _("Living on relief, survivor pension or minimum living allowance")


BASE_CATEGORIES = {DuesCategory.SALARIED, DuesCategory.ANNUAL_SALARY, DuesCategory.SELF_EMPLOYED, DuesCategory.RETIRED}
# The base changes every month (art. 3) or every quarter (art. 4): the bill of a month must use
# the base entered for that month / quarter (``services.profile_warnings`` says when it is missing).
MONTHLY_BASE_CATEGORIES = {DuesCategory.ANNUAL_SALARY}
QUARTERLY_BASE_CATEGORIES = {DuesCategory.SELF_EMPLOYED}
FIXED_CATEGORIES = {DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.LOW_INCOME}


class ChangeReason(models.TextChoices):
    INITIAL = "initial", _("Initial assessment")
    ANNUAL = "annual", _("Annual re-base (January)")
    SALARY = "salary", _("Salary change")
    CATEGORY = "category", _("Change of category")
    MONTHLY_PAY = "monthly_pay", _("Pay actually received this month (annual salary)")
    QUARTERLY = "quarterly", _("Previous quarter's average net income (self-employed)")
    CORRECTION = "correction", _("Correction")


BASE_HELP = _(
    "Monthly base = the relatively fixed, regular monthly wage income after tax (中组发〔2008〕3号 art. 1). "
    "Excluded: individual income tax; pension, medical, unemployment, work-injury and maternity insurance; "
    "housing provident fund; occupational/enterprise annuity; reform allowances (housing, transport, car, "
    "telephone, overtime, meal, heating and cooling allowances, property fees); reward performance pay "
    "(basic performance pay is included); irregular bonuses. Annual salary: the pay actually received that "
    "month (art. 3); self-employed: the previous quarter's monthly average net income (art. 4); retired: the "
    "pension actually received (art. 5)."
)


class DuesProfile(models.Model):
    scope_resource = "dues"  # its POLICY resource: core.policy registers it at start-up
    scope_self = "member__user"  # the user whose own row it is (SELF)
    member = models.OneToOneField("members.Member", on_delete=models.PROTECT, related_name="dues_profile")
    org_path = OrgPathField(source="member")  # the member's organization path
    category = models.CharField(_("dues category"), max_length=16, choices=DuesCategory.choices)
    base = models.DecimalField(_("monthly base (yuan)"), null=True, blank=True, help_text=BASE_HELP, **MONEY)
    fixed_amount = models.DecimalField(_("fixed monthly amount (yuan)"), null=True, blank=True, **MONEY)
    effective_month = models.DateField(_("applies from month"))
    base_set_on = models.DateField(_("base assessed on"))
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("dues profile")

    def __str__(self) -> str:
        return f"{self.member.name} {self.get_category_display()}"


class DuesProfileChange(models.Model):
    """A snapshot of the profile from ``effective_month`` on (history; bills of a month use the
    latest change whose effective month is not after it)."""

    profile = models.ForeignKey(DuesProfile, on_delete=models.CASCADE, related_name="changes")
    category = models.CharField(max_length=16, choices=DuesCategory.choices)
    base = models.DecimalField(null=True, blank=True, **MONEY)
    fixed_amount = models.DecimalField(null=True, blank=True, **MONEY)
    effective_month = models.DateField()
    reason = models.CharField(max_length=16, choices=ChangeReason.choices)
    note = models.CharField(max_length=200, blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_month", "-id"]

    def __str__(self) -> str:
        return f"{self.effective_month:%Y-%m} {self.category} {self.base or self.fixed_amount or ''}"


class HardshipStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class HardshipApproval(models.Model):
    scope_resource = "dues"  # its POLICY resource: core.policy registers it at start-up
    scope_self = "member__user"  # the user whose own row it is (SELF)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_hardships")
    org_path = OrgPathField(source="member")  # the member's organization path
    amount = models.DecimalField(_("reduced monthly amount (0 = exempt)"), **MONEY)
    reason = models.CharField(_("hardship"), max_length=300)
    study_date = models.DateField(_("branch studied it on"))
    study_record = models.CharField(_("branch study record (meeting, decision)"), max_length=300)
    from_month = models.DateField(_("from month"))
    to_month = models.DateField(_("until month (empty = open)"), null=True, blank=True)
    status = models.CharField(max_length=12, choices=HardshipStatus.choices, default=HardshipStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    approval_record = models.CharField(_("approval record of the next-higher Party committee"), max_length=300, blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.amount} {self.status}"


class BillStatus(models.TextChoices):
    UNPAID = "unpaid", pgettext_lazy("dues", "Unpaid")
    PAID = "paid", pgettext_lazy("dues", "Paid")
    EXEMPT = "exempt", pgettext_lazy("dues", "Exempt")
    EXCUSED = "excused", _("Unpaid, reason approved")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    ONLINE = "online", _("Online payment")


class Payer(models.TextChoices):
    MEMBER = "member", _("The member in person")
    ENTRUSTED = "entrusted", _("A relative or another member entrusted by the member")
    ORGANISATION = "organisation", _("The Party organization on the member's behalf (垫交)")
    DEDUCTION = "deduction", _("Deduction from pay (扣缴)")


class DuesPayment(models.Model):
    scope_resource = "dues"  # its POLICY resource: core.policy registers it at start-up
    scope_self = "member__user"  # the user whose own row it is (SELF)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_payments")
    org_path = OrgPathField(source="member")  # the member's organization path
    receipt_no = models.CharField(max_length=32, unique=True, null=True, blank=True)
    paid_on = models.DateField()
    method = models.CharField(max_length=12, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=64, blank=True, default="")
    payer = models.CharField(max_length=16, choices=Payer.choices, default=Payer.MEMBER)
    written_consent = models.CharField(max_length=200, blank=True, default="")
    first_month = models.DateField(null=True, blank=True)
    months = models.PositiveSmallIntegerField(default=1)
    dues_amount = models.DecimalField(**MONEY)
    voluntary_extra = models.DecimalField(default=0, **MONEY)
    total = models.DecimalField(**MONEY)
    remit_to_centre = models.BooleanField(default=False)
    advance = models.BooleanField(default=False)
    branch_consent = models.CharField(max_length=200, blank=True, default="")
    late = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # art. 9: a flowing member holding the 流动党员活动证 may pay at the inflow organization
    collected_by = models.ForeignKey("core.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("collected by the inflow organization"))

    class Meta:
        ordering = ["-paid_on", "-id"]

    def __str__(self) -> str:
        return self.receipt_no or f"payment {self.pk}"


class DuesBill(models.Model):
    scope_resource = "dues"  # its POLICY resource: core.policy registers it at start-up
    scope_self = "member__user"  # the user whose own row it is (SELF)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_bills")
    org_path = OrgPathField(source="member", db_index=False)  # led by Meta index dues_bill_path_month
    month = models.DateField()
    amount_due = models.DecimalField(**MONEY)
    status = models.CharField(max_length=8, choices=BillStatus.choices, default=BillStatus.UNPAID)
    payment = models.ForeignKey(DuesPayment, null=True, blank=True, on_delete=models.PROTECT, related_name="bills")
    excuse = models.CharField(max_length=200, blank=True, default="")
    rule_version = models.CharField(max_length=40, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_bill_member_month")]
        indexes = [models.Index(fields=["org_path", "month"], name="dues_bill_path_month"),
                   models.Index(fields=["status", "month"], name="dues_bill_status_month")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m} {self.amount_due} {self.status}"


class ArrearsNotice(models.Model):
    """One arrears warning of one level for one arrears episode (``since_month`` = its first unpaid
    month). A 3-month warning is also escalated once to the nearest superior Party committee's org
    admins (DOMAIN §11 Dues "[warn, escalated] 3 months"): ``escalated_to`` / ``escalated_at``
    record where and when, so the daily job tells them once."""

    scoping_exempt = ("read only through its member (the arrears job; the arrears page, for members already in "
                      "scope); escalated_to records the superior committee told, not the organization owning the row")

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    since_month = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    escalated_to = models.ForeignKey("core.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "level", "since_month"], name="dues_arrears_once")]

    def __str__(self) -> str:
        return f"{self.member_id} level {self.level} since {self.since_month:%Y-%m}"


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("dues", "Open")
    DECIDED = "decided", pgettext_lazy("dues", "Decided")


class ReviewCase(models.Model):
    scope_resource = "dues"  # its POLICY resource: core.policy registers it at start-up
    scope_self = "member__user"  # the user whose own row it is (SELF)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_review_cases")
    org_path = OrgPathField(source="member")  # the member's organization path
    since_month = models.DateField()
    months_unpaid = models.PositiveSmallIntegerField()
    opened_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    meeting_date = models.DateField(null=True, blank=True)
    decision = models.TextField(blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [models.UniqueConstraint(fields=["member", "since_month"], name="dues_case_once")]

    def __str__(self) -> str:
        return f"{self.member_id} since {self.since_month:%Y-%m} ({self.status})"
