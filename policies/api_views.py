from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from icentrex.api.schema import error_responses
from icentrex.api.serializers import StrictSerializer

from . import selectors, services
from .models import PolicyDocument, PolicyVersion


class PolicyVersionSerializer(serializers.ModelSerializer):
    html = serializers.SerializerMethodField(help_text="The text rendered to sanitised HTML.")

    class Meta:
        model = PolicyVersion
        fields = [
            "number",
            "summary",
            "effective_at",
            "material",
            "published_at",
            "content_hash",
            "body",
            "html",
        ]
        read_only_fields = fields

    def get_html(self, version) -> str:
        return str(selectors.render_policy(version.body))


class PolicyDocumentSerializer(serializers.ModelSerializer):
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = PolicyDocument
        fields = ["slug", "title", "in_force"]
        read_only_fields = fields

    def get_in_force(self, document) -> int | None:
        version = selectors.version_in_force(document=document)
        return version.number if version else None


@extend_schema(tags=["policies"])
class PolicyListView(generics.ListAPIView):
    """The policy documents and the number of the version in force of each. Public."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = PolicyDocumentSerializer
    queryset = PolicyDocument.objects.all()


@extend_schema(tags=["policies"], responses={200: PolicyVersionSerializer(many=True), **error_responses(404)})
class PolicyVersionListView(generics.ListAPIView):
    """Published versions of one document, newest first. Public."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = PolicyVersionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PolicyVersion.objects.none()
        document = selectors.access_document(slug=self.kwargs["slug"])
        return selectors.published_versions(document=document).select_related("document")


class PolicyAcceptanceSerializer(serializers.Serializer):
    document = serializers.CharField(source="version.document.slug")
    version = serializers.IntegerField(source="version.number")
    how = serializers.CharField()
    accepted_at = serializers.DateTimeField()


class PolicyAcceptanceCreateSerializer(StrictSerializer):
    document = serializers.SlugField()
    version = serializers.IntegerField(min_value=1)


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
