"""Thin forms for organization pages; the rules live in core.services."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import ALLOWED_CHILDREN, AreaType, Organization, OrgKind


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


def style_widgets(fields) -> None:
    """Give every widget Tabler's class, so templates render fields plainly (any form kind)."""
    for f in fields.values():
        w = f.widget
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        elif isinstance(w, forms.Select):
            w.attrs.setdefault("class", "form-select")
        else:
            w.attrs.setdefault("class", "form-control")


class StyledForm(forms.Form):
    """A form whose widgets carry Tabler's classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self.fields)


class OrgCreateForm(StyledForm):
    name = forms.CharField(label=pgettext_lazy("organization", "Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"))
    area_type = forms.ChoiceField(label=_("Area type"), choices=AreaType.choices, initial=AreaType.VILLAGE)
    code = forms.CharField(label=_("Organization code"), max_length=32, required=False)
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DateInput)
    term_started_on = forms.DateField(label=_("Current term started on"), required=False, widget=DateInput,
                                      help_text=_("The term end is computed from the term length of the rules."))
    is_joint = forms.BooleanField(label=_("Joint branch (several units)"), required=False)
    unit_count = forms.IntegerField(label=_("Units covered"), min_value=1, max_value=99, initial=1)

    def __init__(self, *args, parent: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_CHILDREN.get(parent.kind, set())
        self.fields["kind"].choices = [(k, label) for k, label in OrgKind.choices if k in allowed]


class OrgEditForm(StyledForm):
    name = forms.CharField(label=pgettext_lazy("organization", "Name"), max_length=200)
    area_type = forms.ChoiceField(label=_("Area type"), choices=AreaType.choices)
    code = forms.CharField(label=_("Organization code"), max_length=32, required=False)
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DateInput)
    term_started_on = forms.DateField(label=_("Current term started on"), required=False, widget=DateInput)
    term_ends_on = forms.DateField(label=_("Current term ends on"), required=False, widget=DateInput)
    is_joint = forms.BooleanField(label=_("Joint branch (several units)"), required=False)
    unit_count = forms.IntegerField(label=_("Units covered"), min_value=1, max_value=99)


class OrgChoiceForm(StyledForm):
    """Pick a target organization among those offered (already scoped by the view)."""

    target = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    reason = forms.CharField(label=_("Reason / decision"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets, target_label=None, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["target"].label_from_instance = lambda o: f"{'— ' * (o.depth - 1)}{o.name}"
        if target_label:
            self.fields["target"].label = target_label
        self.fields["reason"].required = reason_required


class DissolveForm(StyledForm):
    reason = forms.CharField(label=_("Reason and decision (document number)"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    dissolved_on = forms.DateField(label=_("Dissolved on"), required=False, widget=DateInput)


def apply_service_errors(form: forms.Form, exc) -> None:
    """Put a service's ValidationError on the form, codes kept (``form.errors.as_data()``): field
    errors where the form has the field, the rest on the form (:mod:`dangjian.core.errors`)."""
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.error_list)


class GrantRoleForm(StyledForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"))
    password = forms.CharField(label=_("Initial password (only for a new account)"), required=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("At least 12 characters; leave empty when the account exists."))

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
