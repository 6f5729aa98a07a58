"""Thin forms of member development; the rules live in services.py."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import DateInput, StyledForm, style_widgets
from dangjian.members.api import Category, Education, Gender

from . import selectors
from .models import PublicityPoint
from .rules import ARCHIVE_DOCUMENTS, STEP_BY_CODE


def _checkboxes(**kw):
    return forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}, **kw)


class CaseOpenForm(StyledForm):
    org = forms.ModelChoiceField(label=_("Party branch"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=64)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=16, initial="汉族")
    education = forms.ChoiceField(label=_("Education"), choices=Education.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)
    work_unit = forms.CharField(label=_("Work unit"), max_length=200, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    application_date = forms.DateField(label=_("Application received on"), widget=DateInput)
    documents = forms.MultipleChoiceField(label=_("Documents received"), required=False, widget=_checkboxes(),
                                          choices=[(d, d) for d in STEP_BY_CODE[1].documents])

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


def _members_field(label, org_path: str):
    qs = selectors.full_member_choices(org_path)
    return forms.ModelMultipleChoiceField(label=label, queryset=qs, widget=_checkboxes(), required=False)


VOTE_FIELDS = ("voters_total", "voters_present", "yes", "no", "abstain", "written_total", "written_yes")


def _add_vote_fields(fields) -> None:
    """The counts of a 支部大会 vote (admission, conversion, extension of the probation)."""
    for name, label in (("voters_total", pgettext_lazy("development vote", "Voting members who should attend (应到)")),
                        ("voters_present", pgettext_lazy("development vote", "Voting members present (实到)")),
                        ("yes", pgettext_lazy("development vote", "Yes")), ("no", pgettext_lazy("development vote", "No")),
                        ("abstain", pgettext_lazy("development vote", "Abstentions")),
                        ("written_total", pgettext_lazy("development vote", "Written opinions of absent voters")),
                        ("written_yes", pgettext_lazy("development vote", "…of which yes"))):
        fields[name] = forms.IntegerField(label=label, min_value=0, initial=0)


class StepForm(StyledForm):
    """The next step's form; its fields depend on the step (DOMAIN §4.1)."""

    date = forms.DateField(label=_("Date"), widget=DateInput)
    documents = forms.MultipleChoiceField(label=_("Documents present"), required=False, widget=_checkboxes())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case, code: int, **kwargs):
        super().__init__(*args, **kwargs)
        step = STEP_BY_CODE[code]
        self.fields["documents"].choices = [(d, d) for d in step.documents]
        if not step.documents:
            del self.fields["documents"]
        if code in (10, 13):
            self.fields["conclusion"] = forms.ChoiceField(label=_("Written conclusion"), choices=[
                ("", "—"), ("passed", _("Passed")), ("failed", _("Not passed"))])
        if code == 5:
            self.fields["contacts"] = _members_field(_("Training contacts (1–2 full members)"), case.org_path)
        if code == 9:
            self.fields["introducers"] = _members_field(_("Introducers (two full members)"), case.org_path)
        if code == 11:
            self.fields["training_days"] = forms.DecimalField(label=_("Training days"), min_value=0, max_digits=5, decimal_places=1, initial=0)
            self.fields["training_hours"] = forms.DecimalField(label=_("Class hours"), min_value=0, max_digits=5, decimal_places=1, initial=0)
        if code == 12:
            self.fields["leaving_within_3_months"] = forms.BooleanField(label=_("Will leave the unit within 3 months"), required=False)
        if code in (15, 23):
            _add_vote_fields(self.fields)
        if code == 25:
            self.fields["archive"] = forms.MultipleChoiceField(label=_("Archived documents (all five are required)"), required=False,
                                                               widget=_checkboxes(), choices=ARCHIVE_DOCUMENTS)
        style_widgets(self.fields)  # the fields added above get Tabler's classes too
        for f in self.fields.values():
            if isinstance(f.widget, forms.CheckboxSelectMultiple):
                f.widget.attrs["class"] = "form-check-input"

    def service_kwargs(self) -> dict:
        cd = dict(self.cleaned_data)
        data = {}
        for k in ("contacts", "introducers"):
            if k in cd:
                data[k] = [m.pk for m in cd.pop(k)]
        for k in ("training_days", "training_hours"):
            if k in cd:
                data[k] = float(cd.pop(k) or 0)
        for k in ("voters_total", "voters_present", "yes", "no", "abstain", "written_total", "written_yes", "leaving_within_3_months"):
            if k in cd:
                data[k] = cd.pop(k)
        if "archive" in cd:
            data["archive"] = list(cd.pop("archive"))
        return {"date": cd["date"], "documents": cd.get("documents") or [], "conclusion": cd.get("conclusion", ""),
                "note": cd.get("note", ""), "data": data}


class PublicityForm(StyledForm):
    point = forms.ChoiceField(label=_("Publicity point"), choices=PublicityPoint.choices)
    starts_on = forms.DateField(label=_("Publicity starts on"), widget=DateInput,
                                help_text=_("For the online board the window counts from the day the notice is published."))
    offline = forms.BooleanField(label=_("Posted on a physical board only (no online notice); I attest the date above"), required=False)


class AssessmentForm(StyledForm):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    note = forms.CharField(label=_("Assessment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(StyledForm):
    date = forms.DateField(label=_("Date of the branch general meeting"), widget=DateInput)
    months = forms.IntegerField(label=_("Extension in months (6–12)"), min_value=1, max_value=24)
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _add_vote_fields(self.fields)
        style_widgets(self.fields)

    def vote(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in VOTE_FIELDS}


class StopForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CancelProbationForm(StyledForm):
    date = forms.DateField(label=_("Date of the approval"), widget=DateInput)
    decision = forms.CharField(label=_("支部大会 decision and upper approval (document number)"), max_length=200)


class LocalDayForm(StyledForm):
    org = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    is_working_day = forms.BooleanField(label=_("Is a working day (a local make-up day)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class DocumentForm(StyledForm):
    step_code = forms.TypedChoiceField(label=_("Step"), coerce=int)
    file = forms.FileField(label=_("Scanned document (PDF or image, at most 10 MB)"))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step_code"].choices = [(c, f"{c} · {STEP_BY_CODE[c].name_zh}") for c in range(case.last_code, 0, -1)]
