"""REST endpoints of member records (党员信息).

Reads go through ``members.selectors`` (scoped roster, keyset pages ordered by ``(org_path, id)``);
writes through ``members.services`` (validated by ``clean_member_data``, audited). ID number,
phone and residence are masked in every response; the clear value comes only from the reveal
endpoint, which the service audits (SECURITY.md "Field privacy").

Each view's access rule is its row in :data:`dangjian.api.registry.API_POLICY`.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ErrorDetail, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from dangjian.members import api as member_services
from dangjian.members.api import Member, MemberFilters, decode_cursor, member_page, visible_member

from .base import ScopedAPIView, error_responses
from .pagination import MAX_PAGE_SIZE
from .serializers import (
    MemberListQuerySerializer,
    MemberMoveSerializer,
    MemberPageSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    RevealRequestSerializer,
    RevealResponseSerializer,
)

TAG = ["members"]
DEFAULT_PAGE_SIZE = 50
MAX_DB_INT = 2**63 - 1

REQUIRED_MSG = _("This field is required.")
INVALID_CURSOR = _("Invalid cursor.")
USE_MOVE = _("A member changes organization through the move operation (POST /api/v1/members/{id}/move/).")


class ExactSearchRefusedApi(APIException):
    """403 ``exact_search_forbidden`` / 429 ``exact_search_rate_limited`` with the code in the body."""

    def __init__(self, exc: member_services.ExactSearchRefused):
        self.status_code = status.HTTP_429_TOO_MANY_REQUESTS if exc.code == "exact_search_rate_limited" else status.HTTP_403_FORBIDDEN
        super().__init__({"detail": ErrorDetail(exc.messages[0], code=exc.code), "code": exc.code}, code=exc.code)


def _error(field: str, message, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ErrorDetail(str(message), code=code)]})


def _query(params) -> dict:
    """The list's query parameters, each validated as the schema states it (400 per field otherwise)."""
    ser = MemberListQuerySerializer(data={key: params.get(key) for key in params})
    ser.is_valid(raise_exception=True)
    return ser.validated_data


class MemberViewMixin:
    queryset = member_services.no_members()  # handlers never read it: rows come through the scope
    subject_model = Member  # the "member" resource also covers RightsRestriction
    serializer_class = MemberSerializer

    def member_fields(self, request) -> dict:
        """Parse member fields (types only); the service validates them all at once."""
        ser = MemberSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        return dict(ser.validated_data)


class MemberListApi(MemberViewMixin, ScopedAPIView):
    """The roster (花名册) ordered by organization then id, in keyset pages; adding a member (DOMAIN §2, §4)."""

    @extend_schema(tags=TAG, operation_id="members_list", summary="Members you may view, in roster order (keyset pages)", parameters=[MemberListQuerySerializer],
                   responses={200: MemberPageSerializer, **error_responses(400, 401, 403, 404, 429)})
    def get(self, request):
        params = request.query_params
        query = _query(params)
        org = self.get_targets(params)["org"]
        size = min(query.get("page_size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        cursor = query.get("cursor") or None
        if cursor is not None:
            pos = decode_cursor(cursor)
            if pos is None or not 0 <= pos[1] <= MAX_DB_INT or "\x00" in pos[0]:
                raise _error("cursor", INVALID_CURSOR)
        filters = MemberFilters.from_params(params, org=org)
        if filters.exact_field and cursor is None:
            try:
                member_services.authorize_exact_search(actor=request.user, scope=self.scope, field=filters.exact_field, term=filters.q,
                                                       via="api")
            except member_services.ExactSearchRefused as exc:
                raise ExactSearchRefusedApi(exc) from None
            filters.exact_lookup_allowed = True
        page = member_page(self.scope, filters, after=cursor, size=size, action=self.list_action())
        nxt = replace_query_param(request.build_absolute_uri(), "cursor", page.next_cursor) if page.next_cursor else None
        return Response({"next": nxt, "results": MemberSerializer(page.items, many=True).data})

    @extend_schema(tags=TAG, operation_id="members_create", summary="Add a member to a branch", request=MemberSerializer,
                   responses={201: MemberSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request):
        data = self.member_fields(request)
        org = self.get_targets({"org": data.pop("org_id", None)})["org"]
        if org is None:
            raise _error("org", REQUIRED_MSG, code="required")
        member = member_services.create_member(actor=request.user, org=org, data=data)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class MemberDetailApi(MemberViewMixin, ScopedAPIView):
    """One member record; ID number, phone and residence masked."""

    @extend_schema(tags=TAG, operation_id="members_retrieve", summary="One member record (sensitive fields masked)",
                   responses={200: MemberSerializer, **error_responses(401, 404)})
    def get(self, request, pk: int):
        return Response(MemberSerializer(self.get_subject(visible_member, pk)).data)

    @extend_schema(tags=TAG, operation_id="members_partial_update", summary="Edit a member record", request=MemberUpdateSerializer,
                   responses={200: MemberSerializer, **error_responses(400, 401, 403, 404)})
    def patch(self, request, pk: int):
        member = self.get_subject(visible_member, pk)
        data = self.member_fields(request)
        if "org_id" in data:
            raise _error("org", USE_MOVE)
        member = member_services.update_member(actor=request.user, member=member, data=data)
        return Response(MemberSerializer(member).data)


class MemberMoveApi(MemberViewMixin, ScopedAPIView):
    """Move a member inside the platform; the old membership stays as history (DOMAIN §11)."""

    @extend_schema(tags=TAG, operation_id="members_move", summary="Move a member to another organization (kept as history)", request=MemberMoveSerializer,
                   responses={200: MemberSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, pk: int):
        member = self.get_subject(visible_member, pk)
        ser = MemberMoveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        to_org = self.get_targets(ser.validated_data)["org"]
        member = member_services.move_member(actor=request.user, member=member, to_org=to_org, reason=ser.validated_data["reason"])
        return Response(MemberSerializer(member).data)


class MemberRevealApi(MemberViewMixin, ScopedAPIView):
    """Return one sensitive field in clear; every reveal is audited (SECURITY.md "Field privacy")."""

    @extend_schema(tags=TAG, operation_id="members_reveal", summary="Reveal one sensitive field in clear (audited)", request=RevealRequestSerializer,
                   responses={200: RevealResponseSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, pk: int):
        member = self.get_subject(visible_member, pk)
        ser = RevealRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        field = ser.validated_data["field"]
        value = member_services.reveal_field(actor=request.user, member=member, field=field, purpose=ser.validated_data["purpose"],
                                             purpose_note=ser.validated_data["purpose_note"])
        return Response({"field": field, "value": value or ""}, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
