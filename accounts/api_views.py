from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from core.api.schema import error_responses

from . import selectors, services
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    MeSerializer,
)


@extend_schema(tags=["account"], responses={200: MeSerializer, **error_responses(400, 401, 403)})
class MeView(generics.GenericAPIView):
    """The signed-in person's profile."""

    serializer_class = MeSerializer

    def get(self, request):
        """Your profile: email, name, language and whether two-factor sign-in is on."""
        return Response(MeSerializer(request.user).data)

    def patch(self, request):
        """Change your name or language. Unknown fields are refused."""
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update_profile(
            actor=request.user,
            user=request.user,
            name=serializer.validated_data.get("name", request.user.name),
            language=serializer.validated_data.get("language", request.user.language),
            request=request,
        )
        return Response(MeSerializer(user).data)


@extend_schema(tags=["account"])
class ApiTokenListCreateView(generics.ListAPIView):
    """Your personal API tokens."""

    serializer_class = ApiTokenSerializer
    throttle_scope = "token_create"

    def get_queryset(self):
        return selectors.api_tokens_for_user(user=self.request.user)

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses={200: ApiTokenSerializer(many=True), **error_responses(401, 403)})
    def get(self, request, *args, **kwargs):
        """List your tokens, newest first (active, expired and revoked); token values are not shown."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer, **error_responses(400, 401, 403, 413, 429)},
    )
    def post(self, request):
        """Create a token. The response holds the token itself, once; store it safely."""
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, clear = services.api_token_create(
            actor=request.user,
            name=serializer.validated_data["name"],
            expires_at=serializer.expires_at(),
            request=request,
        )
        token.token = clear
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["account"])
class ApiTokenDetailView(generics.GenericAPIView):
    serializer_class = ApiTokenSerializer

    @extend_schema(responses={200: ApiTokenSerializer, **error_responses(401, 403, 404)})
    def get(self, request, token_id: int):
        """One of your tokens."""
        token = selectors.access_api_token_by_id(actor=request.user, token_id=token_id)
        return Response(ApiTokenSerializer(token).data)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)})
    def delete(self, request, token_id: int):
        """Revoke a token. It stops working at once; the record stays in your list."""
        token = selectors.access_api_token_by_id(actor=request.user, token_id=token_id)
        services.api_token_revoke(actor=request.user, token=token, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
