"""Support cases over the API: a person opens and reads their own cases; support
staff read every case, internal notes included."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from accounts.staff_roles import StaffPermission, staff_api_permission, staff_has_permission
from core.api.schema import error_responses
from organizations.api_base import OrganizationScopedAPIView
from organizations.roles import Scope

from . import selectors, services
from .models import SupportCase
from .serializers import (
    CaseDetailSerializer,
    CaseOpenSerializer,
    CaseSerializer,
    CaseShareSerializer,
    MaskPreviewSerializer,
    SharedCaseDetailSerializer,
    ShareRequestSerializer,
)

_STATUS_FILTER = OpenApiParameter(
    "status",
    str,
    enum=[*SupportCase.Status.values, "all"],
    description="Only cases with this status (default: every case).",
)


@extend_schema(tags=["support"])
class CaseListCreateView(generics.ListAPIView):
    serializer_class = CaseSerializer

    def get_queryset(self):
        # An empty value is no filter, as for every query filter of the API (allowEmptyValue).
        status_filter = self.request.query_params.get("status") or "all"
        if status_filter not in [*SupportCase.Status.values, "all"]:
            raise serializers.ValidationError({"status": [_("Unknown status.")]})
        if staff_has_permission(self.request.user, StaffPermission.SUPPORT_CASES_HANDLE):
            return selectors.staff_cases(actor=self.request.user, status=status_filter)
        return selectors.cases_for_reporter(user=self.request.user, status=status_filter)

    @extend_schema(
        parameters=[_STATUS_FILTER],
        responses={200: CaseSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request, *args, **kwargs):
        """Your support cases, most recently updated first. Support staff see every case."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=CaseOpenSerializer,
        responses={201: CaseDetailSerializer, **error_responses(400, 401, 403, 413)},
    )
    def post(self, request):
        """Open a support case. Unknown fields, an empty or oversized body and an
        organisation you do not belong to are refused, and nothing is stored."""
        serializer = CaseOpenSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        case = services.case_open(actor=request.user, request=request, **serializer.validated_data)
        case.thread = []
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["support"])
class CaseDetailView(generics.GenericAPIView):
    serializer_class = CaseDetailSerializer

    @extend_schema(responses={200: CaseDetailSerializer, **error_responses(401, 403, 404)})
    def get(self, request, case_id):
        """One case with its conversation. Another person's case answers 404 (support
        staff can read every case, with its internal notes)."""
        if staff_has_permission(request.user, StaffPermission.SUPPORT_CASES_HANDLE):
            case = selectors.access_case_by_public_id(public_id=case_id)
            case.thread = list(selectors.case_messages_for_staff(case=case))
        else:
            case = selectors.access_case_for_reporter(user=request.user, public_id=case_id)
            case.thread = list(selectors.case_messages_for_reporter(case=case))
        return Response(CaseDetailSerializer(case).data)


# --- Sharing a case, masked, with its organisation's admins ---------------------------


_CASE_SHARING_PERMISSIONS = [
    staff_api_permission(
        StaffPermission.SUPPORT_CASES_HANDLE,
        code="not_support_staff",
        message=gettext_lazy("Only support staff share cases."),
    )
]


@extend_schema(tags=["support"])
class CaseMaskPreviewView(generics.GenericAPIView):
    serializer_class = MaskPreviewSerializer
    permission_classes = _CASE_SHARING_PERMISSIONS

    @extend_schema(
        request=None, responses={200: MaskPreviewSerializer, **error_responses(400, 401, 403, 404)}
    )
    def post(self, request, case_id):
        """Support staff: what the masking engine finds in the case (reporter's
        identifiers, the organisation's other members' names, email addresses, phone
        numbers...) and the masked subject and body. Nothing is shared or stored."""
        case = selectors.access_case_by_public_id(public_id=case_id)
        preview = services.case_mask_preview(actor=request.user, case=case)
        data = {
            "detections": [
                {
                    "field": field,
                    "start": d.start,
                    "end": d.end,
                    "kind": d.kind,
                    "rule": d.rule,
                    "tag": preview["tags"][field][d],
                }
                for field in preview["texts"]
                for d in preview["detections"][field]
            ],
            "masked_subject": preview["masked"]["subject"],
            "masked_body": preview["masked"]["body"],
            "masked_replies": [
                text for field, text in preview["masked"].items() if field.startswith("reply-")
            ],
            "redaction_report": preview["report"],
        }
        return Response(MaskPreviewSerializer(data).data)


@extend_schema(tags=["support"])
class CaseShareView(generics.GenericAPIView):
    serializer_class = CaseShareSerializer
    permission_classes = _CASE_SHARING_PERMISSIONS

    @extend_schema(
        request=ShareRequestSerializer,
        responses={201: CaseShareSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, case_id):
        """Support staff: share the case, masked, with its organisation's admins.
        Detections are recomputed on the server; a masked text that would still
        identify the reporter (an email address, a phone number, their name...) is
        refused with 409 ``still_identifying`` and nothing is stored. The reporter
        is told, and can read exactly what was shared."""
        case = selectors.access_case_by_public_id(public_id=case_id)
        serializer = ShareRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        share = services.case_share(
            actor=request.user,
            case=case,
            unmask=[(u["field"], u["start"], u["end"]) for u in serializer.validated_data["unmask"]],
            extra=[(e["phrase"], e["kind"]) for e in serializer.validated_data["extra"]],
            request=request,
        )
        return Response(CaseShareSerializer(share).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["support"])
class OrgSharedCaseListView(OrganizationScopedAPIView):
    serializer_class = CaseShareSerializer
    required_scopes = {"GET": Scope.SUPPORT_CASES_READ}

    @extend_schema(responses={200: CaseShareSerializer(many=True), **error_responses(401, 403, 404)})
    def get(self, request, org_slug):
        """Support cases iCentrex shared with the organisation, masked, newest first."""
        shares = selectors.shared_cases_for_organization(organization=self.organization)
        page = self.paginate_queryset(shares)
        return self.get_paginated_response(CaseShareSerializer(page, many=True).data)


@extend_schema(tags=["support"])
class OrgSharedCaseDetailView(OrganizationScopedAPIView):
    serializer_class = SharedCaseDetailSerializer
    required_scopes = {"GET": Scope.SUPPORT_CASES_READ}

    @extend_schema(responses={200: SharedCaseDetailSerializer, **error_responses(401, 403, 404)})
    def get(self, request, org_slug, share_id):
        """One shared case: the masked subject and body, counts of what was masked
        (never the values) and the organisation's replies."""
        share = selectors.access_shared_case(organization=self.organization, share_id=share_id)
        share.reply_list = list(selectors.shared_case_replies(share=share))
        return Response(SharedCaseDetailSerializer(share).data)
