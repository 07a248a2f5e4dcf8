from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from accounts.services import reauthenticate_with_password
from core.api.schema import error_responses
from organizations.api_base import OrganizationScopedAPIView
from organizations.roles import Scope

from . import selectors, services
from .serializers import (
    ErasureCreateSerializer,
    ErasureRequestSerializer,
    NoFieldsSerializer,
    OrganizationExportCreateSerializer,
    OrganizationExportSerializer,
    PersonalExportSerializer,
)


@extend_schema(tags=["members"])
class OrganizationExportListCreateView(OrganizationScopedAPIView):
    serializer_class = OrganizationExportSerializer
    required_scopes = {"GET": Scope.MEMBER_DATA_EXPORT, "POST": Scope.MEMBER_DATA_EXPORT}

    @extend_schema(responses={200: OrganizationExportSerializer(many=True), **error_responses(401, 403, 404)})
    def get(self, request, org_slug):
        """Member-data exports of the organisation, with their progress."""
        page = self.paginate_queryset(selectors.exports_of_organization(organization=self.organization))
        return self.get_paginated_response(OrganizationExportSerializer(page, many=True).data)

    @extend_schema(
        request=OrganizationExportCreateSerializer,
        responses={202: OrganizationExportSerializer, **error_responses(400, 401, 403, 404, 409, 413, 415)},
    )
    def post(self, request, org_slug):
        """Start an export of all members (JSON or CSV), where the data policy lets your role export.
        It is built in the background; when it is ready you get an email with a download link that
        needs sign-in, works once and expires after 7 days."""
        serializer = OrganizationExportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        export = services.organization_export_request(
            actor=self.membership, format=serializer.validated_data["format"], request=request
        )
        return Response(OrganizationExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["members"])
class OrganizationExportDetailView(OrganizationScopedAPIView):
    serializer_class = OrganizationExportSerializer
    required_scopes = {"GET": Scope.MEMBER_DATA_EXPORT}

    @extend_schema(responses={200: OrganizationExportSerializer, **error_responses(401, 403, 404)})
    def get(self, request, org_slug, export_id):
        """One export, its progress and where its link stands."""
        return Response(
            OrganizationExportSerializer(
                selectors.access_export_by_id(actor=self.membership, export_id=export_id)
            ).data
        )


@extend_schema(tags=["your data"])
class MyExportCreateView(generics.GenericAPIView):
    serializer_class = PersonalExportSerializer

    @extend_schema(
        request=NoFieldsSerializer,
        responses={202: PersonalExportSerializer, **error_responses(400, 401, 403, 409)},
    )
    def post(self, request):
        """Ask for a copy of all your data: a ZIP with one JSON file per kind of data and a readable
        summary. It is built in the background (follow it with GET); then you get an email with a
        download link that needs sign-in, works once and expires after 7 days. One at a time."""
        # No body reads as {}; a JSON null or list is not an object and is refused.
        NoFieldsSerializer(data=request.data).is_valid(raise_exception=True)
        export = services.personal_export_request(actor=request.user, request=request)
        return Response(PersonalExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["your data"])
class MyExportDetailView(generics.GenericAPIView):
    serializer_class = PersonalExportSerializer

    @extend_schema(responses={200: PersonalExportSerializer, **error_responses(401, 403, 404)})
    def get(self, request, export_id):
        """One of your copies: its progress and where its link stands."""
        export = selectors.access_personal_export(user=request.user, public_id=export_id)
        return Response(PersonalExportSerializer(export).data)


@extend_schema(tags=["your data"])
class MyErasureView(generics.GenericAPIView):
    serializer_class = ErasureRequestSerializer

    @extend_schema(responses={200: ErasureRequestSerializer, **error_responses(401, 403, 404)})
    def get(self, request):
        """Your latest request to delete your account, and where it stands."""
        erasure = selectors.last_erasure_of(user=request.user)
        if erasure is None:
            raise Http404
        return Response(ErasureRequestSerializer(erasure).data)

    @extend_schema(
        request=ErasureCreateSerializer,
        responses={202: ErasureRequestSerializer, **error_responses(400, 401, 403, 409, 413, 415)},
    )
    def post(self, request):
        """Ask to delete your account. Needs your password again (and your two-factor code if you use
        one). The deletion happens after a grace period of 14 days, during which you can cancel it
        (DELETE). A primary owner of an organisation with other members must transfer ownership first
        (409 primary_owner)."""
        serializer = ErasureCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reauthenticate_with_password(
            user=request.user,
            password=serializer.validated_data["password"],
            code=serializer.validated_data.get("code", ""),
        )
        erasure = services.erasure_request(actor=request.user, request=request)
        return Response(ErasureRequestSerializer(erasure).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: ErasureRequestSerializer, **error_responses(401, 403, 409)})
    def delete(self, request):
        """Cancel the scheduled deletion of your account, during the grace period."""
        erasure = services.erasure_cancel(actor=request.user, request=request)
        return Response(ErasureRequestSerializer(erasure).data)
