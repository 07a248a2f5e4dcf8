from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import current_revision


class DeclarationSerializer(serializers.Serializer):
    revision = serializers.CharField(
        help_text="Hash of the declaration revision; send it back with a decision."
    )
    categories = serializers.ListField(child=serializers.DictField())


@extend_schema(tags=["cookies"])
class DeclarationView(APIView):
    """The cookie declaration in force. Public and cacheable: the ETag is the
    revision hash, so a client revalidates with If-None-Match and gets a 304."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: DeclarationSerializer, 304: OpenApiResponse(description="Not modified.")})
    def get(self, request):
        """Categories and cookies (name, provider, first or third party, domain, lifetime, purpose)."""
        revision = current_revision()
        etag = f'"{revision.content_hash}"'
        headers = {"ETag": etag, "Cache-Control": "public, max-age=60"}
        if request.META.get("HTTP_IF_NONE_MATCH") == etag:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response({"revision": revision.content_hash, **revision.content}, headers=headers)
