"""Thin forms; the rules live in elections.services."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import DateInput, StyledForm
from dangjian.members.api import RestrictionForm as MemberRestrictionForm

from . import selectors
from .models import AdjustKind, OfficerPosition, VoteBase


class ElectionForm(StyledForm):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    seats = forms.IntegerField(label=pgettext_lazy("elections", "Seats"), min_value=1, max_value=15)
    present = forms.IntegerField(label=_("Voters present (实到)"), min_value=0, required=False,
                                 help_text=_("Leave empty to take the voters signed in at the linked meeting."))
    base = forms.ChoiceField(label=_("Majority of"), choices=VoteBase.choices)
    meeting = forms.ModelChoiceField(label=_("Election meeting (org life record)"), queryset=None, required=False)
    candidates = forms.ModelMultipleChoiceField(label=pgettext_lazy("elections", "Candidates"), queryset=None,
                                                widget=forms.SelectMultiple(attrs={"size": 10}))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = selectors.meeting_choices(org)
        self.fields["candidates"].queryset = selectors.member_choices(org)


class ResultForm(StyledForm):
    def __init__(self, *args, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(selectors.candidates_of(election))
        for c in self.candidates:
            self.fields[f"votes_{c.pk}"] = forms.IntegerField(label=_("Votes for %(m)s") % {"m": c.member.name}, min_value=0,
                                                              widget=forms.NumberInput(attrs={"class": "form-control", "data-testid": f"votes-{c.member_id}"}))
            self.fields[f"position_{c.pk}"] = forms.ChoiceField(
                label=_("Position of %(m)s if elected") % {"m": c.member.name}, required=False,
                choices=[("", "—")] + list(OfficerPosition.choices), widget=forms.Select(attrs={"class": "form-select"}))

    def votes(self):
        return {c.pk: self.cleaned_data[f"votes_{c.pk}"] for c in self.candidates}

    def positions(self):
        return {c.pk: self.cleaned_data.get(f"position_{c.pk}") or "" for c in self.candidates}


class AdjustForm(StyledForm):
    kind = forms.ChoiceField(label=pgettext_lazy("elections", "Kind"), choices=AdjustKind.choices)
    new_ends_on = forms.DateField(label=_("New end of the term"), widget=DateInput)
    reason = forms.CharField(label=pgettext_lazy("elections", "Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(StyledForm):
    approve = forms.TypedChoiceField(label=pgettext_lazy("elections", "Decision"), coerce=lambda v: v == "yes",
                                     choices=[("yes", pgettext_lazy("elections", "Approve")), ("no", pgettext_lazy("elections", "Refuse"))])
    note = forms.CharField(label=pgettext_lazy("elections", "Note"), max_length=300, required=False)


class ConfirmForm(StyledForm):
    pass


class FilingForm(StyledForm):
    filed_on = forms.DateField(label=_("Filed on (备案日期)"), widget=DateInput)


class RestrictionForm(MemberRestrictionForm):
    """The members app's form, for a member of the organization chosen from a list."""

    member = forms.ModelChoiceField(label=pgettext_lazy("elections", "Member"), queryset=None)
    field_order = ["member", "kind", "starts_on", "ends_on", "note"]

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.member_choices(org)
