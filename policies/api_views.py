from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from icentrex.api.schema import error_responses

from . import selectors
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
