"""Thin forms of the minutes pages; the rules live in minutes.services."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm

from .models import AttachmentKind, VoteKind


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


def _text(label, rows=4, required=False, help_text=""):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text)


class RecordForm(StyledForm):
    meeting_name = forms.CharField(label=_("Meeting name"), max_length=200)
    session_label = forms.CharField(label=_("Term / session (届次)"), max_length=80, required=False,
                                    help_text=_("Only where relevant, e.g. “第三届支部委员会第5次会议”."))
    starts_at = forms.DateTimeField(label=_("Started at"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label=_("Ended at"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    host = forms.ModelChoiceField(label=_("Host (主持人)"), queryset=None, required=False)
    recorder = forms.ModelChoiceField(label=_("Recorder (记录人)"), queryset=None, required=False)
    sitting_in = _text(_("Sitting in (列席)"), rows=2)
    agenda = _text(_("Agenda / topics"))
    speeches = _text(_("Reports, speeches and discussion"), rows=8)
    decisions = _text(_("Decisions / resolutions"))
    open_items = _text(_("Open items"), rows=3)
    summary = _text(_("Host's summary"), rows=3)

    def __init__(self, *args, members, absentees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = members
        self.fields["recorder"].queryset = members
        self.absentee_fields = []
        for a in absentees:
            name = f"reason_{a['member']}"
            self.fields[name] = forms.CharField(
                label=_("Reason of %(name)s") % {"name": a["name"]}, max_length=200, required=False,
                initial=a.get("reason", ""), widget=forms.TextInput(attrs={"class": "form-control"}),
            )
            self.absentee_fields.append(name)

    def absentee_reasons(self) -> dict:
        return {int(n.split("_", 1)[1]): self.cleaned_data.get(n, "") for n in self.absentee_fields}

    def record_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith("reason_")}


class VoteForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of vote"), choices=VoteKind.choices)
    motion = forms.CharField(label=_("Motion"), max_length=300)
    candidate = forms.CharField(label=_("Candidate"), max_length=100, required=False,
                                help_text=_("Admission and conversion: one candidate per vote."))
    voters_total = forms.IntegerField(label=_("Voting members who should attend (应到)"), min_value=0, max_value=100000,
                                      help_text=_("Full members with voting rights; probationary members have no vote."))
    voters_present = forms.IntegerField(label=_("Voting members present (实到)"), min_value=0, max_value=100000)
    yes = forms.IntegerField(label=_("Yes"), min_value=0, max_value=100000)
    no = forms.IntegerField(label=_("No"), min_value=0, max_value=100000)
    abstain = forms.IntegerField(label=_("Abstain"), min_value=0, max_value=100000)
    written_total = forms.IntegerField(label=_("Written opinions of absent voters"), min_value=0, max_value=100000, initial=0,
                                       required=False, help_text=_("Admission and conversion only (发展党员工作细则 art. 22)."))
    written_yes = forms.IntegerField(label=_("…of which in favour"), min_value=0, max_value=100000, initial=0, required=False)


class UploadForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"), help_text=_("Photos: JPEG, PNG or WebP up to 10 MB (location data is removed). Files: PDF, Word (.docx) or Excel (.xlsx) up to 20 MB."))


class CorrectionForm(StyledForm):
    reason = forms.CharField(label=_("What is corrected, and why"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
