"""Query filters of the organization lists (django-filter).

``parent`` is a plain number: a ModelChoiceFilter would validate it against every organization
and so tell a caller which ids exist outside their scope.

The filters read their values exactly as the OpenAPI schema states them: a value outside an
enum, a non-integer or out-of-range ``parent``, and a present but empty typed parameter
(``?kind=``) are refused with 400 (``{"kind": [...]}``) rather than ignored.
"""
from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from dangjian.core.models import Organization, OrgKind, OrgStatus

MAX_ID = 2**63 - 1


class PresentValueMixin:
    """A parameter that is given must have a value: ``?kind=`` is refused, not read as "no filter"."""

    def clean(self, value):
        if value == "":
            raise forms.ValidationError(self.error_messages["required"], code="blank")
        return super().clean(value)


class StrictIntegerFormField(PresentValueMixin, forms.IntegerField):
    pass


class StrictChoiceFormField(PresentValueMixin, django_filters.fields.ChoiceField):
    pass


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IntegerFilter(django_filters.NumberFilter):
    field_class = StrictIntegerFormField


class StrictChoiceFilter(django_filters.ChoiceFilter):
    field_class = StrictChoiceFormField


@extend_schema_field({"type": "string", "maxLength": 100})
class NameFilter(django_filters.CharFilter):
    pass


class OrganizationFilter(django_filters.FilterSet):
    kind = StrictChoiceFilter(choices=OrgKind.choices)
    status = StrictChoiceFilter(choices=OrgStatus.choices)
    parent = IntegerFilter(field_name="parent_id", min_value=1, max_value=MAX_ID, help_text="Direct children of this organization id.")
    q = NameFilter(field_name="name", lookup_expr="icontains", max_length=100, help_text="Name contains (at most 100 characters).")

    class Meta:
        model = Organization
        fields = ["kind", "status", "parent", "q"]
