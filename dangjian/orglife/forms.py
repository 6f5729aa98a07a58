"""Thin forms of org life: types and shapes only; the rules live in the services package."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import DateInput, StyledForm, style_widgets
from dangjian.core.models import MEMBER_HOLDING_KINDS

from . import selectors
from .models import Audience, ExemptionBasis, Frequency, MakeupHow


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def _small_id(value) -> bool:
    """A primary key the database can hold (huge numbers overflow SQLite / bigint before the lookup)."""
    return str(value).isdigit() and len(str(value)) <= 18


class IdChoice(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not _small_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class MemberChoice(IdChoice):
    def label_from_instance(self, m):
        return m.name


class MemberMultiChoice(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        bad = [v for v in value if not _small_id(v)]
        if bad:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": bad[0]})
        return super()._check_values(value)

    home_path = ""  # set by MeetingForm: members outside it are flowing in from other branches

    def label_from_instance(self, m):
        if self.home_path and not m.org_path.startswith(self.home_path):
            return _("%(name)s (flowing in)") % {"name": m.name}
        return m.name


class MeetingTypeForm(StyledForm):
    name = forms.CharField(label=pgettext_lazy("orglife", "Name"), max_length=60)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    audience = forms.ChoiceField(label=_("Invited by default"), choices=Audience.choices)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    min_per_period = forms.IntegerField(label=_("At least per period"), min_value=1, max_value=31, initial=1)
    required = forms.BooleanField(label=_("Required: counted in completion status"), required=False)
    voting = forms.BooleanField(label=_("May take votes (quorum rules apply)"), required=False)
    rule_ref = forms.CharField(label=_("Rule (document and article)"), max_length=200, required=False)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class MeetingTypeCreateForm(MeetingTypeForm):
    owner = IdChoice(label=_("For the organization (and everything below it)"), queryset=None)

    field_order = ["owner"]

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.order_fields(["owner"] + [f for f in self.fields if f != "owner"])


class MeetingForm(forms.Form):
    meeting_type = IdChoice(label=_("Meeting type"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Leave empty to use the type's name."))
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput, input_formats=DT_FORMATS)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput, input_formats=DT_FORMATS)
    place = forms.CharField(label=_("Place"), max_length=200)
    host = MemberChoice(label=_("Host"), queryset=None)
    recorder = MemberChoice(label=_("Recorder"), queryset=None)
    lecturer = MemberChoice(label=_("Lecturer (党课 only)"), queryset=None, required=False,
                            help_text=_("Who gives the 党课: a member here, or a leader of an organization above."))
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    invitees = MemberMultiChoice(label=_("Invited members"), queryset=None, required=False,
                                 widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, org, types=None, fixed_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = selectors.members_of(org)
        self.fields["meeting_type"].queryset = types if types is not None else selectors.types_for_org(org)
        self.fields["meeting_type"].label_from_instance = lambda t: t.name
        if fixed_type is not None:
            del self.fields["meeting_type"]
        for f in ("host", "recorder", "invitees"):
            self.fields[f].queryset = members
        self.fields["invitees"].home_path = org.path if org.kind in MEMBER_HOLDING_KINDS else ""
        lecture = fixed_type if fixed_type is not None else None
        if lecture is not None and lecture.code != selectors.LECTURE_CODE:
            del self.fields["lecturer"]
        else:
            self.fields["lecturer"].queryset = selectors.possible_lecturers(org)
        style_widgets({k: v for k, v in self.fields.items() if k != "invitees"})
        self.fields["invitees"].widget.attrs["class"] = "form-check-input"


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class ExemptionForm(StyledForm):
    member = MemberChoice(label=pgettext_lazy("orglife", "Member"), queryset=None)
    basis = forms.ChoiceField(label=_("Basis (教育管理条例 art. 23)"), choices=ExemptionBasis.choices)
    note = forms.CharField(label=_("Note (seen only by branch staff)"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("From"), widget=DateInput)
    ends_on = forms.DateField(label=_("Until (optional)"), widget=DateInput, required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class DeviceForm(StyledForm):
    org = IdChoice(label=_("Organization"), queryset=None)
    name = forms.CharField(label=pgettext_lazy("orglife", "Name"), max_length=80, help_text=_("Where it stands, e.g. 村党群服务中心会议室"))

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["org"].label_from_instance = lambda o: o.name


class MakeupForm(StyledForm):
    on = forms.DateField(label=_("Made up on"), widget=DateInput)
    how = forms.ChoiceField(label=_("How"), choices=MakeupHow.choices)
    note = forms.CharField(label=_("Content and how the branch checked it"), max_length=200)
