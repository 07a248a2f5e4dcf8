from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.staff_roles import StaffPermission, staff_api_permission
from core.api.schema import error_responses

from . import selectors, services
from .models import PolicyDocument, PolicyVersion
from .serializers import (
    NoticeProgressSerializer,
    PolicyAcceptanceCreateSerializer,
    PolicyAcceptanceSerializer,
    PolicyDocumentSerializer,
    PolicyVersionCreateSerializer,
    PolicyVersionSerializer,
)


@extend_schema(tags=["policies"])
class PolicyListView(generics.ListAPIView):
    """The policy documents and the number of the version in force of each. Public."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = PolicyDocumentSerializer
    queryset = PolicyDocument.objects.all()


@extend_schema(tags=["policies"])
class PolicyVersionListView(generics.GenericAPIView):
    serializer_class = PolicyVersionSerializer

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses={200: PolicyVersionSerializer(many=True), **error_responses(404)})
    def get(self, request, slug):
        """Published versions of one document, newest first. Public."""
        document = selectors.access_document(slug=slug)
        versions = selectors.published_versions(document=document).select_related("document")
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(PolicyVersionSerializer(page, many=True).data)

    @extend_schema(
        request=PolicyVersionCreateSerializer,
        responses={201: PolicyVersionSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, slug):
        """Save a new version as a draft, or publish it at once (privacy officers).
        Publishing notifies every account holder by email and in the app."""
        document = selectors.access_document(slug=slug)
        serializer = PolicyVersionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.policy_draft_create(
            actor=request.user, document=document, request=request, **serializer.validated_data
        )
        return Response(PolicyVersionSerializer(version).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["policies"])
class PolicyVersionPublishView(APIView):
    @extend_schema(
        request=None, responses={200: PolicyVersionSerializer, **error_responses(401, 403, 404, 409)}
    )
    def post(self, request, slug, version_id):
        """Publish a draft (privacy officers): it gets the next number, becomes
        immutable, and the change notices go out to every account holder."""
        document = selectors.access_document(slug=slug)
        draft = get_object_or_404(document.versions.all(), pk=version_id)
        version = services.policy_publish(actor=request.user, version=draft, request=request)
        return Response(PolicyVersionSerializer(version).data)


@extend_schema(tags=["policies"])
class NoticeProgressView(APIView):
    permission_classes = [staff_api_permission(StaffPermission.POLICY_NOTICES_READ, code="not_staff")]

    @extend_schema(responses={200: NoticeProgressSerializer, **error_responses(401, 403, 404)})
    def get(self, request, version_id):
        """How far the change notices of a published version are (staff)."""
        version = get_object_or_404(PolicyVersion.objects.select_related("document"), pk=version_id)
        progress = selectors.notice_progress(version=version)
        if progress is None:
            raise Http404
        return Response(NoticeProgressSerializer(progress).data)


@extend_schema(tags=["policies"])
class MyPolicyAcceptancesView(generics.GenericAPIView):
    serializer_class = PolicyAcceptanceSerializer

    @extend_schema(responses={200: PolicyAcceptanceSerializer(many=True), **error_responses(401, 403)})
    def get(self, request):
        """The policy versions you accepted, newest first."""
        page = self.paginate_queryset(selectors.acceptances_of(user=request.user))
        return self.get_paginated_response(PolicyAcceptanceSerializer(page, many=True).data)

    @extend_schema(
        request=PolicyAcceptanceCreateSerializer,
        responses={201: PolicyAcceptanceSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request):
        """Accept a published policy version (apps call this where they show a material change)."""
        serializer = PolicyAcceptanceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = selectors.access_document(slug=serializer.validated_data["document"])
        version = selectors.access_published_version(
            document=document, number=serializer.validated_data["version"]
        )
        acceptance = services.policy_accept(user=request.user, version=version, how="api", request=request)
        return Response(PolicyAcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED)
