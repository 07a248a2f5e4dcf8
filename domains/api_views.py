"""The API of email-domain claims and disclosures: the organisation's (under
/api/v1/orgs/{org_slug}/, through OrganizationScopedAPIView) and the person's
own (/api/v1/me/disclosures)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from core.api.schema import error_responses
from organizations.api_base import OrganizationScopedAPIView
from organizations.roles import Scope

from . import selectors, services
from .serializers import (
    DisclosureFilterSerializer,
    DisclosureSerializer,
    DomainClaimCreateSerializer,
    DomainClaimSerializer,
    DryRunSerializer,
    MyDisclosureSerializer,
)

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 415)


@extend_schema(tags=["domains"])
class DomainClaimListCreateView(OrganizationScopedAPIView):
    serializer_class = DomainClaimSerializer
    required_scopes = {"GET": Scope.DOMAINS_WRITE, "POST": Scope.DOMAINS_WRITE}

    @extend_schema(responses={200: DomainClaimSerializer(many=True), **READ_ERRORS})
    def get(self, request, org_slug):
        """The organisation's email-domain claims (owners), in every status."""
        page = self.paginate_queryset(selectors.domain_claims_of(organization=self.organization))
        return self.get_paginated_response(DomainClaimSerializer(page, many=True).data)

    @extend_schema(
        request=DomainClaimCreateSerializer, responses={201: DomainClaimSerializer, **WRITE_ERRORS}
    )
    def post(self, request, org_slug):
        """Claim a domain; publish the returned TXT record, then call ``verify``. Free webmail
        is refused (400), and so is a domain another organisation has verified (409)."""
        serializer = DomainClaimCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.domain_claim_create(
            actor=self.membership, request=request, **serializer.validated_data
        )
        return Response(DomainClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["domains"])
class DomainClaimDetailView(OrganizationScopedAPIView):
    serializer_class = DomainClaimSerializer
    required_scopes = {"GET": Scope.DOMAINS_WRITE, "DELETE": Scope.DOMAINS_WRITE}

    @extend_schema(responses={200: DomainClaimSerializer, **READ_ERRORS})
    def get(self, request, org_slug, domain_id):
        """One claim, with the TXT record to publish and the last check's result."""
        claim = selectors.access_domain_claim(organization=self.organization, claim_id=domain_id)
        return Response(DomainClaimSerializer(claim).data)

    @extend_schema(responses={204: None, **READ_ERRORS})
    def delete(self, request, org_slug, domain_id):
        """Revoke the claim: addresses at the domain no longer count as the organisation's."""
        claim = selectors.access_domain_claim(organization=self.organization, claim_id=domain_id)
        services.domain_claim_revoke(actor=self.membership, claim=claim, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["domains"])
class DomainClaimVerifyView(OrganizationScopedAPIView):
    serializer_class = DomainClaimSerializer
    required_scopes = {"POST": Scope.DOMAINS_WRITE}

    @extend_schema(
        request=None, responses={200: DomainClaimSerializer, **error_responses(401, 403, 404, 409)}
    )
    def post(self, request, org_slug, domain_id):
        """Look the TXT record up now. The claim comes back verified, or still pending with
        the reason in ``last_check_result``; 409 if another organisation verified it first."""
        claim = selectors.access_domain_claim(organization=self.organization, claim_id=domain_id)
        claim = services.domain_claim_verify(actor=self.membership, claim=claim, request=request)
        return Response(DomainClaimSerializer(claim).data)


@extend_schema(tags=["domains"])
class DisclosureListView(OrganizationScopedAPIView):
    serializer_class = DisclosureSerializer
    required_scopes = {"GET": Scope.DISCLOSURES_READ}

    @extend_schema(
        parameters=[DisclosureFilterSerializer],
        responses={200: DisclosureSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, org_slug):
        """Email addresses and team names disclosed to the organisation because their domain is
        verified as its own (owners and administrators), newest first."""
        filters = DisclosureFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        records = selectors.disclosures_to_organization(
            organization=self.organization,
            since=values["since"],
            until=values["until"],
            domain=values["domain"],
            after_seq=values["after"],
        )
        page = self.paginate_queryset(records)
        return self.get_paginated_response(
            DisclosureSerializer(selectors.disclosure_rows(records=page), many=True).data
        )


@extend_schema(tags=["domains"])
class DisclosureDryRunView(OrganizationScopedAPIView):
    serializer_class = DryRunSerializer
    required_scopes = {"POST": Scope.DOMAINS_WRITE}

    @extend_schema(request=None, responses={200: DryRunSerializer, **error_responses(401, 403, 404)})
    def post(self, request, org_slug):
        """What the next disclosure run would disclose to the organisation (owners), also for
        domains still in their waiting time. Nothing is disclosed or stored but the run's record."""
        dry = services.disclosure_dry_run(actor=self.membership, request=request)
        return Response(DryRunSerializer(dry).data)


@extend_schema(tags=["account"])
class MyDisclosuresView(generics.GenericAPIView):
    serializer_class = MyDisclosureSerializer

    @extend_schema(responses={200: MyDisclosureSerializer(many=True), **error_responses(401, 403)})
    def get(self, request):
        """Which organisations received your email address and team names, and when: each had
        verified your address's domain as its own."""
        page = self.paginate_queryset(selectors.disclosures_about(user=request.user))
        return self.get_paginated_response(
            MyDisclosureSerializer(selectors.disclosure_rows(records=page), many=True).data
        )
