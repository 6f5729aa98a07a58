"""Thin forms; the rules live in transfers.services."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import DateInput, StyledForm
from dangjian.core.models import Organization
from dangjian.members.api import Member

from . import selectors
from .models import AwayKind, CaseStatus, ContactMethod, TransferKind


class MonthField(forms.DateField):
    """A month entered as YYYY-MM (or a full date), stored as its first day."""

    widget = forms.TextInput(attrs={"placeholder": "2026-10", "inputmode": "numeric"})

    def to_python(self, value):
        value = (value or "").strip() if isinstance(value, str) else value
        if isinstance(value, str) and len(value) == 7 and value[4] == "-":
            try:
                return dt.date(int(value[:4]), int(value[5:7]), 1)
            except ValueError:
                raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from None
        d = super().to_python(value)
        return d.replace(day=1) if d else d

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


def resolve_org(text: str) -> Organization:
    """The receiving organization by its number (shown on organization pages) or exact name."""
    text = (text or "").strip()
    if text.isdigit():
        org = selectors.receiving_org_by_number(int(text))
    else:
        found = selectors.receiving_orgs_named(text, limit=2)
        if len(found) > 1:
            raise forms.ValidationError(_("Several organizations have this name; enter the organization's number instead."))
        org = found[0] if found else None
    if org is None:
        raise forms.ValidationError(_("No active branch, general branch, Party group or primary committee with this name or number."))
    return org


class TransferRequestForm(StyledForm):
    member = forms.ModelChoiceField(label=pgettext_lazy("transfers", "Member"), queryset=None)
    kind = forms.ChoiceField(label=pgettext_lazy("transfers", "Kind"), choices=[(TransferKind.INTERNAL, TransferKind.INTERNAL.label),
                                                        (TransferKind.OUT, TransferKind.OUT.label)])
    to_org = forms.CharField(label=_("Receiving organization (name or number)"), required=False, max_length=200)
    to_name = forms.CharField(label=_("Receiving organization outside the platform"), required=False, max_length=200)
    reason = forms.CharField(label=pgettext_lazy("transfers", "Reason"), required=False, max_length=200)

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.member_choices(org)

    def clean(self):
        data = super().clean()
        if data.get("kind") == TransferKind.INTERNAL:
            try:
                data["to_org_obj"] = resolve_org(data.get("to_org"))
            except forms.ValidationError as e:
                self.add_error("to_org", e)
        return data


class AskForm(StyledForm):
    to_org = forms.CharField(label=_("Receiving organization (name or number)"), max_length=200)
    reason = forms.CharField(label=pgettext_lazy("transfers", "Reason"), required=False, max_length=200)

    def clean_to_org(self):
        return resolve_org(self.cleaned_data["to_org"])


class ApproveForm(StyledForm):
    valid_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365)
    dues_paid_to = MonthField(label=_("Dues paid up to (month, YYYY-MM)"), required=False)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=pgettext_lazy("transfers", "Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(StyledForm):
    reason = forms.CharField(label=pgettext_lazy("transfers", "Reason"), max_length=300, required=False)


class DateForm(StyledForm):
    on = forms.DateField(label=pgettext_lazy("transfers", "Date"), widget=DateInput)


class VerifyForm(forms.Form):
    letter_no = forms.CharField(label=_("Letter number"), max_length=32)
    code = forms.CharField(label=pgettext_lazy("transfers", "Verification code"), max_length=16)


class RegisterIncomingForm(StyledForm):
    from_name = forms.CharField(label=_("Sending organization"), max_length=200)
    external_letter_no = forms.CharField(label=_("Number of the introduction letter"), max_length=64)
    dues_paid_to = MonthField(label=_("Dues paid up to (month, YYYY-MM)"), required=False)
    name = forms.CharField(label=pgettext_lazy("transfers", "Name"), max_length=64)
    gender = forms.ChoiceField(label=_("Gender"), choices=Member._meta.get_field("gender").choices)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    education = forms.ChoiceField(label=_("Education"), choices=Member._meta.get_field("education").choices)
    joined_on = forms.DateField(label=_("Joined the Party on"), widget=DateInput)
    status = forms.ChoiceField(label=pgettext_lazy("transfers", "Status"), choices=Member._meta.get_field("status").choices)
    full_member_on = forms.DateField(label=_("Became a full member on"), widget=DateInput, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Member._meta.get_field("category").choices)

    MEMBER_FIELDS = ("name", "gender", "birth_date", "id_number", "phone", "education", "joined_on", "status",
                     "full_member_on", "category")


class AwayForm(StyledForm):
    member = forms.ModelChoiceField(label=pgettext_lazy("transfers", "Member"), queryset=None)
    kind = forms.ChoiceField(label=pgettext_lazy("transfers", "Register"), choices=AwayKind.choices)
    since = forms.DateField(label=_("Away / lost contact / abroad / graduated since"), widget=DateInput)
    whereabouts = forms.CharField(label=_("Where the member is"), max_length=200, required=False)
    contact_person = forms.CharField(label=_("Contact person"), max_length=64, required=False)
    inflow_org = forms.CharField(label=_("Inflow organization in the platform (name or number, flowing members only)"),
                                 max_length=200, required=False,
                                 help_text=_("Where the member takes part in org life (教育管理条例 art. 32); leave empty if unknown or outside the platform."))
    activity_cert_no = forms.CharField(label=_("流动党员活动证 number"), max_length=40, required=False)

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.member_choices(org)

    def clean_inflow_org(self):
        return resolve_org(self.cleaned_data["inflow_org"]) if (self.cleaned_data.get("inflow_org") or "").strip() else None


class InflowForm(StyledForm):
    inflow_org = forms.CharField(label=_("Inflow organization in the platform (name or number)"), max_length=200,
                                 required=False, help_text=_("Leave empty to clear it."))
    activity_cert_no = forms.CharField(label=_("流动党员活动证 number"), max_length=40, required=False)

    def clean_inflow_org(self):
        return resolve_org(self.cleaned_data["inflow_org"]) if (self.cleaned_data.get("inflow_org") or "").strip() else None


class ContactForm(StyledForm):
    contacted_on = forms.DateField(label=pgettext_lazy("transfers", "Date"), widget=DateInput)
    method = forms.ChoiceField(label=pgettext_lazy("transfers", "Method"), choices=ContactMethod.choices)
    reached = forms.BooleanField(label=_("Reached the member"), required=False, initial=True)
    note = forms.CharField(label=pgettext_lazy("transfers", "Note"), max_length=300, required=False)


class CaseForm(StyledForm):
    basis = forms.CharField(label=pgettext_lazy("transfers", "Basis"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(StyledForm):
    outcome = forms.ChoiceField(label=pgettext_lazy("transfers", "Outcome"), choices=[(CaseStatus.DECIDED, _("Decided (as recorded)")),
                                                             (CaseStatus.DISMISSED, pgettext_lazy("transfers", "Dismissed"))])
    on = forms.DateField(label=_("Date of the decision"), widget=DateInput)
    note = forms.CharField(label=_("Decision and the body that took it"), max_length=300,
                           widget=forms.Textarea(attrs={"rows": 3}))
