"""Thin forms of the dues pages; the rules live in dues.services."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import DateInput, StyledForm

from .models import BASE_HELP, ChangeReason, DuesCategory, Payer, PaymentMethod
from .months import label, parse_month


class MonthInput(forms.TextInput):
    input_type = "month"

    def format_value(self, value):
        return label(value) if hasattr(value, "year") else value


class MonthField(forms.CharField):
    widget = MonthInput

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        m = parse_month(value)
        if m is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return m


class MoneyField(forms.DecimalField):
    def __init__(self, **kw):
        kw.setdefault("max_digits", 12)
        kw.setdefault("decimal_places", 2)
        super().__init__(**kw)


class ProfileForm(StyledForm):
    category = forms.ChoiceField(label=_("Dues category"), choices=DuesCategory.choices)
    base = MoneyField(label=_("Monthly base (yuan, after tax)"), required=False, min_value=Decimal("0"), help_text=BASE_HELP)
    quarter_income = MoneyField(label=_("Self-employed: previous quarter's net income (yuan, total)"), required=False,
                                min_value=Decimal("0"),
                                help_text=_("Instead of the monthly base: the base is this total ÷ 3 (art. 4)."))
    fixed_amount = MoneyField(label=_("Farmer's monthly amount (yuan, 0.2–1)"), required=False, min_value=Decimal("0"))
    effective_month = MonthField(label=_("Applies from month"))
    reason = forms.ChoiceField(label=_("Reason of the change"), choices=ChangeReason.choices)
    note = forms.CharField(label=pgettext_lazy("dues", "Note"), max_length=200, required=False)


class PaymentForm(StyledForm):
    first_month = MonthField(label=_("First month paid"), required=False)
    months = forms.IntegerField(label=_("Number of months"), min_value=0, max_value=24, initial=1,
                                help_text=_("Dues are paid monthly; several months in advance (a quarter) only with the branch's consent."))
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Transfer or online reference"), max_length=64, required=False)
    payer = forms.ChoiceField(label=_("Paid by"), choices=Payer.choices, initial=Payer.MEMBER)
    written_consent = forms.CharField(label=_("Member's written consent to the deduction (document, date)"), max_length=200, required=False)
    branch_consent = forms.CharField(label=_("Branch consent to paying in advance (meeting, date)"), max_length=200, required=False)
    voluntary_extra = MoneyField(label=_("Voluntary extra (yuan)"), required=False, min_value=Decimal("0"), initial=Decimal("0"),
                                 help_text=_("A single voluntary payment of 1000 yuan or more is remitted wholly to the Centre."))


class InflowPaymentForm(StyledForm):
    first_month = MonthField(label=_("First month paid"))
    months = forms.IntegerField(label=_("Number of months"), min_value=1, max_value=12, initial=1)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Transfer or online reference"), max_length=64, required=False)


class GenerateForm(StyledForm):
    org = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    month = MonthField(label=_("Month"))

    def __init__(self, *args, orgs, **kw):
        super().__init__(*args, **kw)
        self.fields["org"].queryset = orgs


class HardshipForm(StyledForm):
    amount = MoneyField(label=_("Reduced monthly amount (yuan; 0 = exempt)"), min_value=Decimal("0"))
    reason = forms.CharField(label=_("Hardship"), max_length=300)
    study_date = forms.DateField(label=_("The branch studied it on"), widget=DateInput)
    study_record = forms.CharField(label=_("Branch study record (meeting, decision)"), max_length=300)
    from_month = MonthField(label=_("From month"))
    to_month = MonthField(label=_("Until month (empty = open)"), required=False)


class HardshipDecisionForm(StyledForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    approval_record = forms.CharField(label=_("Approval record of the next-higher Party committee (document no., meeting)"), max_length=300)


class CaseDecisionForm(StyledForm):
    meeting_date = forms.DateField(label=_("Branch general meeting held on"), widget=DateInput)
    decision = forms.CharField(label=_("What the branch general meeting decided"), widget=forms.Textarea(attrs={"rows": 4}))


class ExcuseForm(StyledForm):
    reason = forms.CharField(label=_("Approved reason"), max_length=200)
