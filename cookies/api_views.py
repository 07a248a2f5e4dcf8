import json

from django.http import HttpResponse, HttpResponseNotModified
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from .selectors import current_revision
from .serializers import DeclarationSerializer


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
        if request.META.get("HTTP_IF_NONE_MATCH") == etag:
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(_rendered(revision), content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = "public, max-age=60"
        return response


_RENDERED: dict[str, bytes] = {}


def _rendered(revision) -> bytes:
    """The body, rendered once per revision (a revision never changes; its hash names it)."""
    body = _RENDERED.get(revision.content_hash)
    if body is None:
        if len(_RENDERED) > 16:
            _RENDERED.clear()
        body = _RENDERED[revision.content_hash] = json.dumps(
            {"revision": revision.content_hash, **revision.content}, ensure_ascii=False
        ).encode()
    return body
