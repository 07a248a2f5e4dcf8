from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.staff_roles import StaffPermission, staff_api_permission
from core.api.schema import error_responses
from core.replicas import replica_reads
from organizations import selectors as org_selectors
from organizations.api_base import OrganizationScopedAPIView
from organizations.roles import Scope

from . import selectors, services
from .serializers import (
    CatalogueEntrySerializer,
    InstallationSerializer,
    MyInstallationCreateSerializer,
    OrgInstallationCreateSerializer,
    OrgSharingFilterSerializer,
    OrgSharingLogSerializer,
    ProviderCreateSerializer,
    ProviderFilterSerializer,
    ProviderSerializer,
    ProviderUpdateSerializer,
    SharingEventSerializer,
    SharingLogFilterSerializer,
    SharingLogSerializer,
)

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 415)


def _installations_response(view, installations):
    page = view.paginate_queryset(installations)
    summaries = selectors.installation_summaries(installations=page)
    return view.get_paginated_response(
        InstallationSerializer(page, many=True, context={"summaries": summaries}).data
    )


def _installation_response(installation, status_code=status.HTTP_200_OK):
    summaries = selectors.installation_summaries(installations=[installation])
    return Response(
        InstallationSerializer(installation, context={"summaries": summaries}).data, status=status_code
    )


@extend_schema(tags=["data sharing"])
class MySharingLogView(generics.GenericAPIView):
    serializer_class = SharingLogSerializer

    @extend_schema(
        parameters=[SharingLogFilterSerializer],
        responses={200: SharingLogSerializer, **error_responses(400, 401, 403)},
    )
    @replica_reads
    def get(self, request):
        """Who received data about you, what (categories and exact fields), when, why (purpose and
        legal basis) and whether it was delivered: 50 shares a page, newest first. For the next page
        pass the answer's `next` as `before`."""
        filters = SharingLogFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        log = selectors.sharing_log_for(user=request.user, **filters.validated_data)
        places = selectors.sharing_places(events=log.events)
        return Response(
            {
                "next": log.next_cursor,
                "results": SharingEventSerializer(log.events, many=True, context={"places": places}).data,
            }
        )


@extend_schema(tags=["integrations"])
class IntegrationCatalogueView(generics.ListAPIView):
    """The integrations anyone may add, with exactly what each can receive and why. Public."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = CatalogueEntrySerializer

    def get_queryset(self):
        return selectors.integrations_available().order_by("name", "pk")


@extend_schema(tags=["integrations"])
class MyInstallationListCreateView(generics.GenericAPIView):
    serializer_class = InstallationSerializer

    @extend_schema(responses={200: InstallationSerializer(many=True), **error_responses(401, 403)})
    def get(self, request):
        """Integrations you added for yourself (active and removed), newest first."""
        return _installations_response(self, selectors.my_installations(user=request.user))

    @extend_schema(
        request=MyInstallationCreateSerializer, responses={201: InstallationSerializer, **WRITE_ERRORS}
    )
    def post(self, request):
        """Add an integration for yourself, granting the listed fields (your consent). It receives
        them about you only, at once; the share is in your sharing log. Team fields need a team
        (organisation console); organisation fields need `organization`, one of yours (else 404).
        A field the provider does not declare is a 400 and nothing is written."""
        serializer = MyInstallationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        provider = selectors.access_integration(slug=data["provider"])
        membership = (
            org_selectors.access_membership(user=request.user, org_slug=data["organization"])
            if data["organization"]
            else None
        )
        installation = services.installation_create(
            user=request.user,
            provider=provider,
            fields=data["fields"],
            membership=membership,
            request=request,
        )
        return _installation_response(installation, status.HTTP_201_CREATED)


@extend_schema(tags=["integrations"])
class MyInstallationDetailView(generics.GenericAPIView):
    serializer_class = InstallationSerializer

    @extend_schema(responses={200: InstallationSerializer, **READ_ERRORS})
    def get(self, request, public_id):
        """One integration you added."""
        return _installation_response(
            selectors.access_my_installation(user=request.user, public_id=public_id)
        )

    @extend_schema(responses={204: None, **READ_ERRORS})
    def delete(self, request, public_id):
        """Remove it: nothing more is shared, deliveries not yet made are cancelled and the provider
        is told. Removing a removed integration changes nothing."""
        installation = selectors.access_my_installation(user=request.user, public_id=public_id)
        services.installation_remove(user=request.user, installation=installation, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["integrations"])
class OrgInstallationListCreateView(OrganizationScopedAPIView):
    """Integrations in the organisation. Reading needs members:read (the list names members);
    adding for a team is for its team admins and the organisation's admins and owners."""

    serializer_class = InstallationSerializer
    required_scopes = {"GET": Scope.MEMBERS_READ, "POST": Scope.MEMBERS_READ}

    @extend_schema(responses={200: InstallationSerializer(many=True), **READ_ERRORS})
    def get(self, request, org_slug):
        """Integrations added in the organisation (for a team, or by members for themselves), with who
        added them, the fields granted and how much was shared."""
        return _installations_response(
            self, selectors.organization_installations(organization=self.organization)
        )

    @extend_schema(
        request=OrgInstallationCreateSerializer, responses={201: InstallationSerializer, **WRITE_ERRORS}
    )
    def post(self, request, org_slug):
        """Add an integration for a team, granting the listed fields about each of its members.
        Team admins add for their own teams, admins and owners for any: another team is a 403, a
        team of another organisation a 404, an undeclared field a 400; nothing is written then."""
        serializer = OrgInstallationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team = org_selectors.access_team_by_id(actor=self.membership, team_id=data["team_id"])
        provider = selectors.access_integration(slug=data["provider"])
        installation = services.installation_create(
            user=request.user,
            provider=provider,
            fields=data["fields"],
            membership=self.membership,
            team=team,
            request=request,
        )
        return _installation_response(installation, status.HTTP_201_CREATED)


@extend_schema(tags=["integrations"])
class OrgInstallationDetailView(OrganizationScopedAPIView):
    serializer_class = InstallationSerializer
    required_scopes = {"GET": Scope.MEMBERS_READ, "DELETE": Scope.MEMBERS_READ}

    def installation(self, public_id):
        return selectors.access_organization_installation(organization=self.organization, public_id=public_id)

    @extend_schema(responses={200: InstallationSerializer, **READ_ERRORS})
    def get(self, request, org_slug, public_id):
        """One integration of the organisation. What it received: GET data-sharing?installation=."""
        return _installation_response(self.installation(public_id))

    @extend_schema(responses={204: None, **READ_ERRORS})
    def delete(self, request, org_slug, public_id):
        """Remove a team's integration (its team admins, the organisation's admins and owners), or
        your own: nothing more is shared and the provider is told."""
        services.installation_remove(
            user=request.user,
            installation=self.installation(public_id),
            membership=self.membership,
            request=request,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["data sharing"])
class OrgSharingLogView(OrganizationScopedAPIView):
    serializer_class = OrgSharingLogSerializer
    required_scopes = {"GET": Scope.MEMBERS_READ}

    @extend_schema(
        parameters=[OrgSharingFilterSerializer],
        responses={200: OrgSharingLogSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, org_slug):
        """What the organisation's integrations received, one entry per share (50 a page, newest
        first; `next` goes into `before`). Which members a share was about is listed only where
        the organisation's data policy lets you review member data; otherwise only how many."""
        filters = OrgSharingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        installation_id = data.pop("installation")
        installation = (
            selectors.access_organization_installation(
                organization=self.organization, public_id=installation_id
            )
            if installation_id
            else None
        )
        detail = selectors.may_see_member_detail(membership=self.membership)
        page = selectors.organization_shares(
            organization=self.organization, installation=installation, with_members=detail, **data
        )
        return Response(
            OrgSharingLogSerializer(
                {"next": page.next_cursor, "member_detail": detail, "results": page.shares}
            ).data
        )


# --- Provider register (staff) -------------------------------------------------------


_PROVIDER_REGISTER_PERMISSIONS = [
    staff_api_permission(StaffPermission.PROVIDERS_MANAGE, code="not_privacy_officer")
]


@extend_schema(tags=["provider register"])
class ProviderListCreateView(generics.GenericAPIView):
    """The provider register (privacy officers)."""

    serializer_class = ProviderSerializer
    permission_classes = _PROVIDER_REGISTER_PERMISSIONS

    @extend_schema(
        parameters=[ProviderFilterSerializer],
        responses={200: ProviderSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        """Every provider, active or not: integrations and service providers (processors)."""
        filters = ProviderFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        providers = selectors.provider_register(kind=filters.validated_data["kind"])
        page = self.paginate_queryset(providers)
        return self.get_paginated_response(ProviderSerializer(page, many=True).data)

    @extend_schema(request=ProviderCreateSerializer, responses={201: ProviderSerializer, **WRITE_ERRORS})
    def post(self, request):
        """Add a provider. An integration needs `webhook_url` (https) and gets a signing secret,
        returned in `signing_secret` this once; a service provider needs `service`,
        `agreement_reference` and `country`. Audited."""
        serializer = ProviderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        provider, secret = services.provider_create(
            actor=request.user, request=request, **serializer.validated_data
        )
        return Response(
            ProviderSerializer(provider, context={"secret": secret}).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=["provider register"])
class ProviderDetailView(generics.GenericAPIView):
    serializer_class = ProviderSerializer
    permission_classes = _PROVIDER_REGISTER_PERMISSIONS

    def provider(self, request, slug):
        return get_object_or_404(selectors.provider_register(), slug=slug)

    @extend_schema(responses={200: ProviderSerializer, **READ_ERRORS})
    def get(self, request, slug):
        """One provider's register entry (never its signing secret)."""
        return Response(ProviderSerializer(self.provider(request, slug)).data)

    @extend_schema(request=ProviderUpdateSerializer, responses={200: ProviderSerializer, **WRITE_ERRORS})
    def patch(self, request, slug):
        """Change a provider's entry; values of the other kind are refused. `"rotate_secret": true`
        gives an integration a new signing secret, returned in `signing_secret` this once (the old
        one stops at once). Each change is audited with the old and the new value."""
        provider = self.provider(request, slug)
        serializer = ProviderUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        rotate = values.pop("rotate_secret", False)
        secret = None
        with transaction.atomic():  # a refused rotation leaves the other changes unwritten too
            if values:
                provider = services.provider_update(
                    actor=request.user, provider=provider, request=request, **values
                )
            if rotate:
                provider, secret = services.provider_rotate_secret(
                    actor=request.user, provider=provider, request=request
                )
        return Response(ProviderSerializer(provider, context={"secret": secret}).data)
