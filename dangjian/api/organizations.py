"""REST endpoints of the organization tree (组织架构): lists, detail, subtree, and the structural
changes of DOMAIN §2, all through ``dangjian.core.services`` (which refuse with a message and
write nothing).

Each view's access rule is its row in :data:`dangjian.api.registry.API_POLICY`.
"""
from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from dangjian.core import api as org_services
from dangjian.core import rollups
from dangjian.core.api import visible_org
from dangjian.core.models import Organization
from dangjian.core.structure import findings_for
from dangjian.members.api import Position, committee_of

from .base import ScopedAPIView, error_responses
from .filters import OrganizationFilter
from .pagination import OrganizationPagination
from .serializers import (
    OrganizationCreateSerializer,
    OrganizationDissolveSerializer,
    OrganizationMergeSerializer,
    OrganizationMoveSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
)

TAG = ["organizations"]


class OrganizationViewMixin:
    queryset = org_services.no_organizations()  # handlers never read it: rows come through the scope
    serializer_class = OrganizationSerializer

    def detail(self, org: Organization) -> dict:
        """The detail representation: officers for every viewer, findings/counts with view_stats."""
        committee = committee_of(org)
        secretary = next((c["name"] for c in committee if c["position"] == Position.SECRETARY), None)
        org.api_secretary = secretary
        org.api_committee = committee
        if self.may_see("findings", org):
            counts = rollups.counts_for(org)
            org.api_counts = counts
            org.api_findings = [f.__dict__ for f in findings_for(org, counts, committee_size=len(committee),
                                                                 has_secretary=secretary is not None)]
        return OrganizationSerializer(org).data


class OrganizationListingMixin(OrganizationViewMixin):
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrganizationFilter
    pagination_class = OrganizationPagination

    def page_response(self, qs, with_counts: bool = False):
        page = self.paginate_queryset(self.filter_queryset(qs))
        if with_counts:
            shown = [o.pk for o in page if self.may_see("counts", o)]
            counts = org_services.rollup_counts(shown)
            for o in page:
                if o.pk in shown:
                    o.api_counts = counts.get(o.pk, {})
        return self.get_paginated_response(OrganizationSerializer(page, many=True).data)


class OrganizationListApi(OrganizationListingMixin, ScopedAPIView):
    """Organizations in tree order; a new one is created by the upper organization (DOMAIN §2)."""

    @extend_schema(tags=TAG, operation_id="organizations_list", summary="Organizations you may view",
                   responses={200: OrganizationSerializer(many=True), **error_responses(400, 401, 403, 404)})
    def get(self, request):
        return self.page_response(org_services.visible_orgs(self.scope, self.list_action()))

    @extend_schema(tags=TAG, operation_id="organizations_create", summary="Create an organization under a parent", request=OrganizationCreateSerializer,
                   responses={201: OrganizationSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request):
        ser = OrganizationCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        parent = self.get_targets(data)["parent"]
        del data["parent"]
        org = org_services.create_organization(actor=request.user, parent=parent, **data)
        return Response(self.detail(org), status=status.HTTP_201_CREATED)


class OrganizationDetailApi(OrganizationViewMixin, ScopedAPIView):
    """One organization with its officers; structure findings (DOMAIN §11) for callers with view_stats."""

    @extend_schema(tags=TAG, operation_id="organizations_retrieve", summary="One organization", responses={200: OrganizationSerializer, **error_responses(401, 404)})
    def get(self, request, pk: int):
        return Response(self.detail(self.get_subject(visible_org, pk)))

    @extend_schema(tags=TAG, operation_id="organizations_partial_update", summary="Edit an organization", request=OrganizationUpdateSerializer,
                   responses={200: OrganizationSerializer, **error_responses(400, 401, 403, 404)})
    def patch(self, request, pk: int):
        org = self.get_subject(visible_org, pk)
        ser = OrganizationUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        org = org_services.update_organization(actor=request.user, org=org, **ser.validated_data)
        return Response(self.detail(org))


class OrganizationChildrenApi(OrganizationListingMixin, ScopedAPIView):
    """The direct sub-organizations of one organization."""

    @extend_schema(tags=TAG, operation_id="organizations_children_list", summary="Direct sub-organizations you may view",
                   responses={200: OrganizationSerializer(many=True), **error_responses(400, 401, 404)})
    def get(self, request, pk: int):
        org = self.get_subject(visible_org, pk)
        return self.page_response(org_services.visible_children_of(self.scope, org, self.list_action()))


class OrganizationSubtreeApi(OrganizationListingMixin, ScopedAPIView):
    """Everything below one organization, in tree order; head-counts from the rollups."""

    @extend_schema(tags=TAG, operation_id="organizations_subtree_list", summary="All sub-organizations you may view, with head-counts for view_stats",
                   responses={200: OrganizationSerializer(many=True), **error_responses(400, 401, 404)})
    def get(self, request, pk: int):
        org = self.get_subject(visible_org, pk)
        return self.page_response(org_services.visible_descendants_of(self.scope, org, self.list_action()), with_counts=True)


class OrganizationMoveApi(OrganizationViewMixin, ScopedAPIView):
    """Re-parent an organization with its subtree and members (DOMAIN §2: decided by the upper organization)."""

    @extend_schema(tags=TAG, operation_id="organizations_move", summary="Move an organization (with its subtree) under another parent",
                   request=OrganizationMoveSerializer, responses={200: OrganizationSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, pk: int):
        org = self.get_subject(visible_org, pk)
        ser = OrganizationMoveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        parent = self.get_targets(ser.validated_data)["parent"]
        org = org_services.move_organization(actor=request.user, org=org, new_parent=parent)
        return Response(self.detail(org))


class OrganizationMergeApi(OrganizationViewMixin, ScopedAPIView):
    """Merge into another organization; the source stays read-only with status "merged" (DOMAIN §2)."""

    @extend_schema(tags=TAG, operation_id="organizations_merge", summary="Merge an organization into another (members and sub-organizations move)",
                   request=OrganizationMergeSerializer, responses={200: OrganizationSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, pk: int):
        org = self.get_subject(visible_org, pk)
        ser = OrganizationMergeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        into = self.get_targets(ser.validated_data)["into"]
        org_services.merge_organizations(actor=request.user, source=org, target=into, reason=ser.validated_data["reason"])
        org = org_services.reloaded_org(org)
        return Response(self.detail(org))


class OrganizationDissolveApi(OrganizationViewMixin, ScopedAPIView):
    """Dissolve (撤销) an organization; refused while members or sub-organizations remain (DOMAIN §11)."""

    @extend_schema(tags=TAG, operation_id="organizations_dissolve", summary="Dissolve an organization that has no members or sub-organizations left",
                   request=OrganizationDissolveSerializer, responses={200: OrganizationSerializer, **error_responses(400, 401, 403, 404)})
    def post(self, request, pk: int):
        org = self.get_subject(visible_org, pk)
        ser = OrganizationDissolveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        org = org_services.dissolve_organization(actor=request.user, org=org, reason=ser.validated_data["reason"])
        return Response(self.detail(org))
