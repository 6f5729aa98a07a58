"""Member forms: field widgets only; validation is members.services.clean_member_data."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import DateInput, StyledForm

from .models import ETHNICITIES, Category, Education, Gender, MemberStatus, Position, RestrictionKind


class MemberForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=64)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=[(e, e) for e in ETHNICITIES], initial="汉族")
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput)
    id_number = forms.CharField(label=_("ID number"), max_length=18, min_length=18,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    address = forms.CharField(label=_("Residence"), max_length=200, required=False)
    education = forms.ChoiceField(label=_("Education"), choices=Education.choices)
    joined_on = forms.DateField(label=_("Joined the Party on"), widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices)
    full_member_on = forms.DateField(label=_("Became a full member on"), required=False, widget=DateInput)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    work_unit = forms.CharField(label=_("Work unit"), max_length=200, required=False)
    position = forms.ChoiceField(label=_("Position in the branch"), choices=Position.choices, required=False)


class MemberAddForm(MemberForm):
    """Adding: the member's organization comes first, chosen among those the user may add to."""

    org = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    field_order = ["org"]

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = targets
        self.fields["org"].label_from_instance = lambda o: f"{'— ' * (o.depth - 1)}{o.name}"
        self.fields["org"].widget.attrs.setdefault("class", "form-select")


class MemberEditForm(MemberForm):
    """Editing: sensitive fields are left empty and only changed when something is typed."""

    SENSITIVE = ("id_number", "phone", "address")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.SENSITIVE:
            self.fields[f].required = False
            self.fields[f].help_text = _("Leave empty to keep the recorded value.")


class MoveForm(StyledForm):
    target = forms.ModelChoiceField(label=_("New organization"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["target"].label_from_instance = lambda o: f"{'— ' * (o.depth - 1)}{o.name}"


class RosterExportForm(StyledForm):
    """Export the roster (花名册) of one organization's subtree."""

    org = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    clear = forms.BooleanField(label=_("Include ID numbers, phones and addresses in clear (recorded in the audit log)"),
                               required=False)

    def __init__(self, *args, orgs, can_reveal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["org"].label_from_instance = lambda o: f"{'— ' * (o.depth - 1)}{o.name}"
        if not can_reveal:
            del self.fields["clear"]


class RosterUploadForm(StyledForm):
    """Upload a filled-in roster workbook (.xlsx) for checking."""

    file = forms.FileField(label=_("Roster workbook (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}))


class RestrictionForm(StyledForm):
    """留党察看 or 留置 from a date (until a date, or until the restoration is entered)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=RestrictionKind.choices)
    starts_on = forms.DateField(label=_("From"), widget=DateInput)
    ends_on = forms.DateField(label=_("Until"), widget=DateInput, required=False,
                              help_text=_("Leave empty until the organization decides the restoration of rights."))
    note = forms.CharField(label=_("Decision (document number, body)"), max_length=200, required=False)


class RestoreForm(StyledForm):
    ends_on = forms.DateField(label=_("Rights restored as of the end of"), widget=DateInput)
    note = forms.CharField(label=_("Decision (document number, body)"), max_length=200, required=False)
