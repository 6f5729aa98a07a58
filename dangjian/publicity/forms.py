"""Thin forms; the rules live in services."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.forms import StyledForm

from .models import Board, HonourKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.gif,.webp,.xlsx"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class NoticeForm(StyledForm):
    board = forms.ChoiceField(label=_("Board"), choices=Board.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}),
                           help_text=_("The board is public: never write ID numbers, phone numbers or home addresses."))
    public_phones = forms.BooleanField(
        label=_("These phone numbers are public contact numbers (e.g. the service hotline)"), required=False,
        help_text=_("Tick only when every mobile number in the notice is a public contact number. "
                    "Personal phone numbers and ID numbers are always refused."))
    attachments = MultipleFileField(label=_("Attachments"),
                                    help_text=_("PDF, images (JPEG, PNG, GIF, WebP) or Excel (.xlsx), at most 10 MB each. Photos are re-encoded without their EXIF data."))
    remove = forms.MultipleChoiceField(label=_("Remove attachments"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, existing=None, fixed_board=False, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_board:
            del self.fields["board"]
        if existing:
            self.fields["remove"].choices = [(str(a.pk), a.name) for a in existing]
        else:
            del self.fields["remove"]


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


class HonourForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000)
    kind = forms.ChoiceField(label=_("Honour"), choices=HonourKind.choices)
    member = forms.ChoiceField(label=_("Member (for an excellent member)"), required=False,
                               help_text=_("Not eligible: a closed record, a member admitted after the year, a member whose "
                                           "rights were restricted in the year (留党察看, 留置)."))
    citation = forms.CharField(label=_("Citation"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000,
                               help_text=_("Shown publicly with the name and the organization. No ID numbers or phone numbers."))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1
        self.fields["year"].max_value = timezone.localdate().year
        self.fields["member"].choices = [("", "—")] + [(str(m.pk), f"{m.name}（{m.org.name}）") for m in members]
