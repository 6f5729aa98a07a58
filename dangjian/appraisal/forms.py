"""Thin forms; the rules live in appraisal.services."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.forms import DateInput, StyledForm

from . import selectors
from .models import Grade, Outcome, Stage
from .services import appraisal_meetings, ballot_subjects, comment_subjects


class OpenForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    meeting = forms.ModelChoiceField(label=_("Appraisal meeting (optional)"), queryset=None, required=False,
                                     help_text=_("A 民主评议党员 meeting of this organization planned in org life; the round can be opened without one."))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = appraisal_meetings(org)
        self.fields["meeting"].label_from_instance = lambda m: f"{timezone.localtime(m.starts_at):%Y-%m-%d} {m.title}"


class MeetingForm(StyledForm):
    meeting = forms.ModelChoiceField(label=_("Appraisal meeting (optional)"), queryset=None, required=False,
                                     help_text=_("Leave empty to unlink the meeting."))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = appraisal_meetings(org)
        self.fields["meeting"].label_from_instance = lambda m: f"{timezone.localtime(m.starts_at):%Y-%m-%d} {m.title}"


class ConfirmForm(StyledForm):
    """A confirmation: no fields."""


class AdvanceForm(StyledForm):
    to = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)


class SelfForm(StyledForm):
    text = forms.CharField(label=_("Self-appraisal"), max_length=3000,
                           widget=forms.Textarea(attrs={"rows": 8, "data-testid": "self-text"}),
                           help_text=_("Study, political stance, work and role as a Party member over the year; shortcomings and what to improve."))


class CommentsForm(StyledForm):
    """One optional comment box per other participant."""

    def __init__(self, *args, author, existing: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = list(comment_subjects(author))
        for p in self.subjects:
            self.fields[f"c_{p.pk}"] = forms.CharField(
                label=p.name, max_length=500, required=False, initial=existing.get(p.pk, ""),
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control", "data-testid": f"comment-{p.member_id}"}))

    def comments(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data.get(f"c_{p.pk}", "").strip() for p in self.subjects}


class BallotForm(StyledForm):
    """The 民主测评 ballot: one grade for every participant, the voter included (all required)."""

    def __init__(self, *args, voter, **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = list(ballot_subjects(voter))
        for p in self.subjects:
            self.fields[f"g_{p.pk}"] = forms.ChoiceField(
                label=p.name, choices=Grade.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input", "data-testid": f"ballot-{p.member_id}"}),
                error_messages={"required": _("Choose a grade for %(m)s.") % {"m": p.name}})

    def marks(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data[f"g_{p.pk}"] for p in self.subjects}


class PaperVotersForm(StyledForm):
    voters = forms.ModelMultipleChoiceField(label=_("Members who handed in a paper ballot"), queryset=None,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, round, **kwargs):  # noqa: A002
        super().__init__(*args, **kwargs)
        self.fields["voters"].queryset = selectors.paper_voter_choices(round)
        self.fields["voters"].label_from_instance = lambda p: p.name
        self.fields["voters"].widget.attrs["class"] = "form-check-input"


class PaperBallotForm(StyledForm):
    """One paper ballot: a grade or blank (abstention) for every member appraised."""

    def __init__(self, *args, round, **kwargs):  # noqa: A002
        super().__init__(*args, **kwargs)
        self.subjects = selectors.paper_ballot_subjects(round)
        for p in self.subjects:
            self.fields[f"g_{p.pk}"] = forms.ChoiceField(
                label=p.name, required=False, choices=[("", _("— blank (abstention)"))] + list(Grade.choices),
                widget=forms.Select(attrs={"class": "form-select", "data-testid": f"paper-{p.member_id}"}))

    def marks(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data.get(f"g_{p.pk}", "") for p in self.subjects}


class GradesForm(StyledForm):
    def __init__(self, *args, parts, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = [p for p in parts if not p.exempt]
        for p in self.parts:
            self.fields[f"grade_{p.pk}"] = forms.ChoiceField(
                label=p.name, required=False, initial=p.grade, choices=[("", "—")] + list(Grade.choices),
                widget=forms.Select(attrs={"class": "form-select", "data-testid": f"grade-{p.member_id}"}))
            self.fields[f"reason_{p.pk}"] = forms.CharField(
                label=pgettext_lazy("appraisal", "Reason"), required=False, max_length=500, initial=p.grade_reason,
                widget=forms.TextInput(attrs={"class": "form-control", "data-testid": f"reason-{p.member_id}"}))

    def rows(self):
        return [(p, self[f"grade_{p.pk}"], self[f"reason_{p.pk}"]) for p in self.parts]

    def grades(self) -> dict[int, tuple[str, str]]:
        return {p.pk: (self.cleaned_data.get(f"grade_{p.pk}", ""), self.cleaned_data.get(f"reason_{p.pk}", "")) for p in self.parts}


class DecideForm(StyledForm):
    outcome = forms.ChoiceField(label=pgettext_lazy("appraisal", "Decision"), choices=Outcome.choices)
    correct_until = forms.DateField(label=_("Correct by (限期改正 only)"), required=False, widget=DateInput)
    help_plan = forms.CharField(label=_("Help plan (限期改正 only): who helps, how, how often"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput)
    note = forms.CharField(label=_("Decision and body that took it"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
