from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from icentrex.api.schema import error_responses
from icentrex.errors import Conflict
from organizations.api_base import OrganizationScopedAPIView
from organizations.roles import Scope

from . import selectors, services
from .models import OrganizationExport
from .serializers import OrganizationExportCreateSerializer, OrganizationExportSerializer


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
        It is built in the background: poll it for progress, then download it (valid 7 days)."""
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
        """One export and its progress."""
        return Response(
            OrganizationExportSerializer(
                selectors.access_export_by_id(actor=self.membership, export_id=export_id)
            ).data
        )


@extend_schema(tags=["members"])
class OrganizationExportDownloadView(OrganizationScopedAPIView):
    serializer_class = OrganizationExportSerializer
    required_scopes = {"GET": Scope.MEMBER_DATA_EXPORT}

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The export file."
            ),
            **error_responses(401, 403, 404, 409),
        }
    )
    def get(self, request, org_slug, export_id):
        """Download a finished export."""
        export = selectors.access_export_by_id(actor=self.membership, export_id=export_id)
        return export_file_response(export)


def export_file_response(export: OrganizationExport):
    if export.status != OrganizationExport.Status.DONE:
        raise Conflict("The export is not ready yet.", code="export_not_ready")
    if export.is_expired:
        raise Conflict("The export has expired; start a new one.", code="export_expired")
    content_type = "text/csv" if export.format == "csv" else "application/json"
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.file.name.rsplit("/", 1)[-1],
        content_type=content_type,
    )
