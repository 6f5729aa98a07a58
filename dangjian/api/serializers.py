"""Serializers of the API: shapes only.

Rules live in the services: member input is parsed here (types, lengths) and validated by
``members.services.clean_member_data`` so the API, the web forms and the import give the same
messages. Organizations named in a request are plain integers here — they are resolved through
the caller's scope in the view (a ``PrimaryKeyRelatedField`` would reveal which ids exist).

Sensitive member fields (ID number, phone, residence) are masked in every response
(SECURITY.md "Field privacy"); only the audited reveal endpoint returns one in clear.
"""
from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dangjian.core.models import AreaType, OrgKind, OrgStatus
from dangjian.core.privacy import MASKERS
from dangjian.core.reveal import RevealPurpose
from dangjian.members.api import SENSITIVE, Category, Education, Gender, MemberStatus, Position, RecordState

MAX_ID = 2**63 - 1  # the database's bigint: larger ids are refused by the schema, not looked up
DATE_ERRORS = {"invalid": _("Enter a valid date.")}
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
DATE_RANGE = _("Enter a date between %(lo)s and %(hi)s.")


class DateField(serializers.DateField):
    """A date within 1900–2199: services add term lengths to dates, and year 9999 + 5 overflows."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", DATE_ERRORS)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not EARLIEST <= date <= LATEST:
            raise serializers.ValidationError(str(DATE_RANGE % {"lo": EARLIEST, "hi": LATEST}), code="date_range")
        return date


# -- exact JSON types -------------------------------------------------------------------------
# The API reads JSON only (ScopedAPIView.parser_classes), so a value of the wrong JSON type is
# refused rather than coerced: DRF's fields take 5 for a string, "5" or 5.0 for an integer and
# "yes" for a boolean, which the OpenAPI schema (type string / integer / boolean) calls invalid.
class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


def OrgIdField(**kwargs) -> StrictIntegerField:  # noqa: N802 - a field factory, used like a class
    """An organization id named in a request: a positive bigint (resolved through the scope in the view)."""
    return StrictIntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# -- error bodies (documented for every error status of every operation) ------------------------
class ErrorSerializer(serializers.Serializer):
    """401, 403, 404, 405, 406, 409, 415 and 429: a message and a stable machine-readable code."""

    detail = serializers.CharField(read_only=True, help_text="A human-readable message (translated).")
    code = serializers.CharField(read_only=True, help_text="A stable code, e.g. `not_authenticated`, `expired`, `permission_denied`, "
                                                             "`not_found`, `throttled`, `exact_search_forbidden`.")


class ValidationErrorSerializer(serializers.Serializer):
    """400: ``{"<field>": ["message", ...]}``; ``non_field_errors`` for the request as a whole."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), read_only=True, required=False)


# -- organizations ----------------------------------------------------------------------------
class CommitteeMemberSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    position = serializers.ChoiceField(choices=Position.choices, read_only=True)


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField(read_only=True)
    level = serializers.ChoiceField(choices=[("block", "block"), ("warn", "warn")], read_only=True)
    message = serializers.CharField(read_only=True)
    source = serializers.CharField(read_only=True)


class OrganizationSerializer(serializers.Serializer):
    """One organization. ``secretary``/``committee`` appear in the detail; ``findings`` and
    ``counts`` only for callers holding ``organization/view_stats`` on it."""

    id = serializers.IntegerField(read_only=True, min_value=1)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=OrgKind.choices, read_only=True)
    area_type = serializers.ChoiceField(choices=AreaType.choices, read_only=True)
    code = serializers.CharField(read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    depth = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=OrgStatus.choices, read_only=True)
    is_joint = serializers.BooleanField(read_only=True)
    unit_count = serializers.IntegerField(read_only=True)
    founded_on = serializers.DateField(read_only=True, allow_null=True)
    dissolved_on = serializers.DateField(read_only=True, allow_null=True)
    merged_into = serializers.IntegerField(source="merged_into_id", read_only=True, allow_null=True)
    term_started_on = serializers.DateField(read_only=True, allow_null=True)
    term_ends_on = serializers.DateField(read_only=True, allow_null=True)
    # Optional parts: present only when the view attached them to the instance.
    secretary = serializers.CharField(source="api_secretary", required=False, allow_null=True,
                                      help_text="Name of the secretary recorded in this organization (detail only).")
    committee = CommitteeMemberSerializer(source="api_committee", many=True, required=False,
                                          help_text="Committee members recorded in this organization (detail only).")
    findings = FindingSerializer(source="api_findings", many=True, required=False,
                                 help_text="Structure rule findings (detail, callers with view_stats only).")
    counts = serializers.DictField(source="api_counts", child=serializers.IntegerField(), required=False,
                                   help_text="Subtree head-counts by bucket (callers with view_stats only).")


class OrganizationCreateSerializer(serializers.Serializer):
    parent = OrgIdField(help_text="The organization to create under (needs add_child there).")
    name = StrictCharField(max_length=200)
    kind = StrictChoiceField(choices=OrgKind.choices)
    area_type = StrictChoiceField(choices=AreaType.choices, default=AreaType.OTHER)
    code = StrictCharField(max_length=32, allow_blank=True, default="")
    founded_on = DateField(allow_null=True, default=None)
    term_started_on = DateField(allow_null=True, default=None)
    is_joint = StrictBooleanField(default=False)
    unit_count = StrictIntegerField(min_value=1, max_value=32767, default=1)


class OrganizationUpdateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200, required=False)
    area_type = StrictChoiceField(choices=AreaType.choices, required=False)
    code = StrictCharField(max_length=32, allow_blank=True, required=False)
    founded_on = DateField(allow_null=True, required=False)
    term_started_on = DateField(allow_null=True, required=False)
    term_ends_on = DateField(allow_null=True, required=False)
    is_joint = StrictBooleanField(required=False)
    unit_count = StrictIntegerField(min_value=1, max_value=32767, required=False)


class OrganizationMoveSerializer(serializers.Serializer):
    parent = OrgIdField(help_text="The new parent organization (needs add_child there).")


class OrganizationMergeSerializer(serializers.Serializer):
    into = OrgIdField(help_text="The organization that takes over members and sub-organizations.")
    reason = StrictCharField(max_length=500, allow_blank=True, default="")


class OrganizationDissolveSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, allow_blank=True, help_text="The reason and the decision for dissolving.")


# -- members ----------------------------------------------------------------------------------
class ServiceChoiceField(serializers.ChoiceField):
    """Documents its choices in the schema but leaves the check to ``clean_member_data``,
    so an out-of-list value gets the same message as in the web form."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return str(data)


class MemberSerializer(serializers.Serializer):
    """A member record. ``id_number``, ``phone`` and ``address`` are masked in responses
    (``3707**************``: the first four characters only); in requests they are given in clear.

    ``org`` is set on creation only; use ``POST /members/{id}/move/`` to change it.
    """

    id = serializers.IntegerField(read_only=True)
    org = OrgIdField(source="org_id", help_text="The member's organization (on creation: needs member/add there; read-only "
                                                "afterwards: use the move operation).")
    org_name = serializers.CharField(source="org.name", read_only=True)
    name = StrictCharField(max_length=64, allow_blank=True)
    gender = ServiceChoiceField(choices=Gender.choices)
    ethnicity = StrictCharField(max_length=16, required=False)
    birth_date = DateField()
    id_number = StrictCharField(max_length=32, allow_blank=True, trim_whitespace=False,
                                      help_text="National ID number (GB 11643); masked in responses.")
    phone = StrictCharField(max_length=32, allow_blank=True, required=False, help_text="Mobile number; masked in responses.")
    address = StrictCharField(max_length=200, allow_blank=True, required=False, help_text="Residence; masked in responses.")
    education = ServiceChoiceField(choices=Education.choices)
    joined_on = DateField()
    full_member_on = DateField(allow_null=True, required=False)
    status = ServiceChoiceField(choices=MemberStatus.choices)
    category = ServiceChoiceField(choices=Category.choices)
    work_unit = StrictCharField(max_length=200, allow_blank=True, required=False)
    position = ServiceChoiceField(choices=Position.choices, allow_blank=True, required=False)
    state = serializers.ChoiceField(choices=RecordState.choices, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for field in SENSITIVE:
            data[field] = MASKERS[field](getattr(instance, field))
        return data


class MemberUpdateSerializer(MemberSerializer):
    """The fields a PATCH may change: all but ``org`` (a member changes organization by the move operation)."""

    org = serializers.IntegerField(source="org_id", read_only=True)


# -- query parameters -------------------------------------------------------------------------
# Query values are strings; these fields read them exactly as the schema states them: a typed
# parameter that is present must be valid (an empty value is not "absent"), an enum parameter
# outside its list is refused (400) instead of silently matching nothing.
QUERY_INT = re.compile(r"^(0|-?[1-9][0-9]{0,18})$")  # no sign on 0, no leading zeros: one spelling per number
QUERY_BOOL = {"true": True, "false": False}


class QueryIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": _("A whole number between %(lo)s and %(hi)s is required.")}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not QUERY_INT.match(data) or not self.min_value <= int(data) <= self.max_value:
            raise serializers.ValidationError(str(self.error_messages["invalid"] % {"lo": self.min_value, "hi": self.max_value}),
                                              code="invalid")
        return int(data)


class QueryBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": _("Must be true or false.")}

    def to_internal_value(self, data):
        if data not in QUERY_BOOL:
            self.fail("invalid")
        return QUERY_BOOL[data]


def _enum(enum) -> list[tuple[str, str]]:
    return [(v, label) for v, label in enum.choices if v]


class MemberListQuerySerializer(serializers.Serializer):
    """The query parameters of ``GET /members/`` (validated by the view, documented from here)."""

    org = QueryIntegerField(min_value=1, max_value=MAX_ID, required=False,
                            help_text="Only this organization's subtree (must be visible to you, else 404).")
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, trim_whitespace=False,
                              help_text="Name (beginning), or an exact ID number or mobile number: an exact look-up needs the reveal "
                                        "right (403 `exact_search_forbidden`), is audited, rate-limited (429 "
                                        "`exact_search_rate_limited`) and matches only members you may reveal.")
    cursor = serializers.CharField(max_length=512, required=False, allow_blank=True, trim_whitespace=False,
                                   help_text="The position returned in `next` (400 for one that was not).")
    page_size = QueryIntegerField(min_value=1, max_value=999, required=False,
                                  help_text="Rows per page (default 50); more than 200 are served as 200.")
    include_left = QueryBooleanField(required=False, help_text="Include records of members who left.")
    age_min = QueryIntegerField(min_value=0, max_value=150, required=False, help_text="Age at least.")
    age_max = QueryIntegerField(min_value=0, max_value=150, required=False, help_text="Age at most.")
    gender = StrictChoiceField(choices=_enum(Gender), required=False)
    status = StrictChoiceField(choices=_enum(MemberStatus), required=False)
    category = StrictChoiceField(choices=_enum(Category), required=False)
    education = StrictChoiceField(choices=_enum(Education), required=False)
    position = StrictChoiceField(choices=_enum(Position), required=False)
    ethnicity = serializers.CharField(max_length=16, required=False, trim_whitespace=False, help_text="Exact ethnicity, e.g. 汉族.")


class MemberPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, read_only=True, help_text="The next page, or null on the last page.")
    results = MemberSerializer(many=True, read_only=True)


class MemberMoveSerializer(serializers.Serializer):
    org = OrgIdField(help_text="The receiving organization (needs member/add there).")
    reason = StrictCharField(max_length=200, allow_blank=True, default="")


class RevealRequestSerializer(serializers.Serializer):
    field = StrictChoiceField(choices=[(f, f) for f in SENSITIVE])
    purpose = StrictChoiceField(choices=RevealPurpose.choices, help_text="Why the clear value is needed (required, audited).")
    purpose_note = StrictCharField(max_length=200, required=False, default="",
                                         help_text="What the purpose is, in words: required when `purpose` is `other` (at least 2 "
                                                   "characters, with a letter); refused codes `purpose_note_required`, `purpose_invalid`.")


class RevealResponseSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=[(f, f) for f in SENSITIVE], read_only=True)
    value = serializers.CharField(read_only=True, help_text="The clear value.")


# -- authentication ---------------------------------------------------------------------------
class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
