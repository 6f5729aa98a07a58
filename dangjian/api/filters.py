"""Query filters of the organization lists (django-filter).

``parent`` is a plain number: a ModelChoiceFilter would validate it against every organization
and so tell a caller which ids exist outside their scope.
"""
from __future__ import annotations

import django_filters
from django import forms

from dangjian.core.models import Organization, OrgKind, OrgStatus


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices)
    status = django_filters.ChoiceFilter(choices=OrgStatus.choices)
    parent = IntegerFilter(field_name="parent_id", min_value=1, max_value=2**63 - 1, help_text="Direct children of this organization id.")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=100, help_text="Name contains.")

    class Meta:
        model = Organization
        fields = ["kind", "status", "parent", "q"]
