from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from core.api.schema import error_responses
from core.replicas import replica_reads

from . import selectors, services
from .api_base import OrganizationScopedAPIView
from .roles import Scope
from .serializers import (
    AuditEventSerializer,
    AuditFilterSerializer,
    DataPolicySerializer,
    DataPolicyUpdateSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    MemberDataRecordSerializer,
    MemberFilterSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    MyInvitationSerializer,
    MyOrganizationSerializer,
    OrganizationCreateSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
    ReviewOfMyDataSerializer,
    ReviewRequestSerializer,
    TeamMemberAddSerializer,
    TeamMemberSerializer,
    TeamMemberUpdateSerializer,
    TeamSerializer,
    TeamWriteSerializer,
    TransferOwnershipSerializer,
)

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 415)


@extend_schema(tags=["organisations"])
class OrganizationListCreateView(generics.ListAPIView):
    """Organisations you belong to."""

    serializer_class = MyOrganizationSerializer

    def get_queryset(self):
        return selectors.memberships_for_user(user=self.request.user)

    @extend_schema(responses={200: MyOrganizationSerializer(many=True), **error_responses(401, 403)})
    def get(self, request, *args, **kwargs):
        """Your organisations with your role in each."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=OrganizationCreateSerializer, responses={201: OrganizationSerializer, **WRITE_ERRORS}
    )
    def post(self, request):
        """Create an organisation; you become its primary owner."""
        serializer = OrganizationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = services.organization_create(
            actor=request.user, request=request, **serializer.validated_data
        )
        return Response(OrganizationSerializer(organization).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["organisations"])
class OrganizationDetailView(OrganizationScopedAPIView):
    serializer_class = OrganizationSerializer
    required_scopes = {"GET": Scope.ORG_READ, "PATCH": Scope.SETTINGS_WRITE}

    @extend_schema(responses={200: OrganizationSerializer, **READ_ERRORS})
    def get(self, request, org_slug):
        """The organisation."""
        return Response(OrganizationSerializer(self.organization).data)

    @extend_schema(
        request=OrganizationUpdateSerializer, responses={200: OrganizationSerializer, **WRITE_ERRORS}
    )
    def patch(self, request, org_slug):
        """Rename the organisation (owners)."""
        serializer = OrganizationUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        organization = services.organization_rename(
            actor=self.membership, name=serializer.validated_data["name"], request=request
        )
        return Response(OrganizationSerializer(organization).data)


@extend_schema(tags=["organisations"])
class LeaveOrganizationView(OrganizationScopedAPIView):
    required_scopes = {"POST": Scope.ORG_READ}

    @extend_schema(request=None, responses={204: None, **error_responses(401, 403, 404, 409)})
    def post(self, request, org_slug):
        """Leave the organisation. The primary owner transfers ownership first."""
        services.membership_remove(actor=self.membership, member=self.membership, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["organisations"])
class TransferOwnershipView(OrganizationScopedAPIView):
    required_scopes = {"POST": Scope.OWNERSHIP_TRANSFER}

    @extend_schema(request=TransferOwnershipSerializer, responses={200: MemberSerializer, **WRITE_ERRORS})
    def post(self, request, org_slug):
        """Make another member the primary owner (primary owner only). You stay an owner."""
        serializer = TransferOwnershipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        to = selectors.access_member_by_id(
            actor=self.membership, membership_id=serializer.validated_data["member_id"]
        )
        to = services.organization_transfer_ownership(actor=self.membership, to=to, request=request)
        return Response(MemberSerializer(to).data)


def _members_response(view, members):
    page = view.paginate_queryset(members)
    context = {"team_names": selectors.team_names_by_membership(memberships=page)}
    return view.get_paginated_response(MemberSerializer(page, many=True, context=context).data)


@extend_schema(tags=["members"])
class MemberListView(OrganizationScopedAPIView):
    serializer_class = MemberSerializer
    required_scopes = {"GET": Scope.MEMBERS_READ}

    @extend_schema(
        parameters=[MemberFilterSerializer],
        responses={200: MemberSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    @replica_reads
    def get(self, request, org_slug):
        """Members with their roles and team names, paginated."""
        serializer = MemberFilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        members = selectors.members_of_organization(
            organization=self.organization, **serializer.validated_data
        )
        return _members_response(self, members)


@extend_schema(tags=["members"])
class MemberDetailView(OrganizationScopedAPIView):
    serializer_class = MemberSerializer
    required_scopes = {"GET": Scope.MEMBERS_READ, "PATCH": Scope.MEMBERS_WRITE, "DELETE": Scope.MEMBERS_WRITE}

    def member(self, member_id):
        return selectors.access_member_by_id(actor=self.membership, membership_id=member_id)

    def respond(self, member):
        team_names = selectors.team_names_by_membership(memberships=[member])
        return Response(MemberSerializer(member, context={"team_names": team_names}).data)

    @extend_schema(responses={200: MemberSerializer, **READ_ERRORS})
    def get(self, request, org_slug, member_id):
        """One member."""
        return self.respond(self.member(member_id))

    @extend_schema(request=MemberUpdateSerializer, responses={200: MemberSerializer, **WRITE_ERRORS})
    def patch(self, request, org_slug, member_id):
        """Change a member's role. Nobody grants or changes a role above their own; the last owner
        stays an owner; the primary owner's role changes only by transferring ownership."""
        serializer = MemberUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        member = services.membership_change_role(
            actor=self.membership,
            member=self.member(member_id),
            role=serializer.validated_data["role"],
            request=request,
        )
        return self.respond(member)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404, 409)})
    def delete(self, request, org_slug, member_id):
        """Remove a member from the organisation (and its teams)."""
        services.membership_remove(actor=self.membership, member=self.member(member_id), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["teams"])
class TeamListCreateView(OrganizationScopedAPIView):
    serializer_class = TeamSerializer
    required_scopes = {"GET": Scope.TEAMS_READ, "POST": Scope.TEAMS_WRITE}

    @extend_schema(responses={200: TeamSerializer(many=True), **READ_ERRORS})
    def get(self, request, org_slug):
        """Teams (guests see only the teams they are in)."""
        teams = selectors.teams_visible_to(membership=self.membership).annotate(
            member_count=Count("team_memberships")
        )
        page = self.paginate_queryset(teams.order_by("name", "pk"))
        return self.get_paginated_response(TeamSerializer(page, many=True).data)

    @extend_schema(request=TeamWriteSerializer, responses={201: TeamSerializer, **WRITE_ERRORS})
    def post(self, request, org_slug):
        """Create a team."""
        serializer = TeamWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team = services.team_create(
            actor=self.membership, name=serializer.validated_data["name"], request=request
        )
        team.member_count = 0
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["teams"])
class TeamDetailView(OrganizationScopedAPIView):
    serializer_class = TeamSerializer
    required_scopes = {"GET": Scope.TEAMS_READ, "PATCH": Scope.TEAMS_WRITE, "DELETE": Scope.TEAMS_WRITE}

    def team(self, team_id):
        return selectors.access_team_by_id(actor=self.membership, team_id=team_id)

    @extend_schema(responses={200: TeamSerializer, **READ_ERRORS})
    def get(self, request, org_slug, team_id):
        """One team."""
        team = self.team(team_id)
        team.member_count = team.team_memberships.count()
        return Response(TeamSerializer(team).data)

    @extend_schema(request=TeamWriteSerializer, responses={200: TeamSerializer, **WRITE_ERRORS})
    def patch(self, request, org_slug, team_id):
        """Rename a team."""
        serializer = TeamWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        team = services.team_rename(
            actor=self.membership,
            team=self.team(team_id),
            name=serializer.validated_data["name"],
            request=request,
        )
        team.member_count = team.team_memberships.count()
        return Response(TeamSerializer(team).data)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)})
    def delete(self, request, org_slug, team_id):
        """Delete a team (its members stay in the organisation)."""
        services.team_delete(actor=self.membership, team=self.team(team_id), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["teams"])
class TeamMemberListView(OrganizationScopedAPIView):
    """Team membership: admins and owners manage every team, a team admin only their own."""

    serializer_class = TeamMemberSerializer
    required_scopes = {"GET": Scope.TEAMS_READ, "POST": Scope.TEAMS_READ}

    @extend_schema(responses={200: TeamMemberSerializer(many=True), **READ_ERRORS})
    def get(self, request, org_slug, team_id):
        """Members of a team."""
        team = selectors.access_team_by_id(actor=self.membership, team_id=team_id)
        page = self.paginate_queryset(selectors.team_memberships_of(team=team))
        return self.get_paginated_response(TeamMemberSerializer(page, many=True).data)

    @extend_schema(request=TeamMemberAddSerializer, responses={201: TeamMemberSerializer, **WRITE_ERRORS})
    def post(self, request, org_slug, team_id):
        """Add a member of the organisation to the team."""
        team = selectors.access_team_by_id(actor=self.membership, team_id=team_id)
        serializer = TeamMemberAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = selectors.access_member_by_id(
            actor=self.membership, membership_id=serializer.validated_data["member_id"]
        )
        team_membership = services.team_member_add(
            actor=self.membership,
            team=team,
            member=member,
            role=serializer.validated_data["role"],
            request=request,
        )
        return Response(TeamMemberSerializer(team_membership).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["teams"])
class TeamMemberDetailView(OrganizationScopedAPIView):
    serializer_class = TeamMemberSerializer
    required_scopes = {"PATCH": Scope.TEAMS_READ, "DELETE": Scope.TEAMS_READ}

    def team_membership(self, team_id, member_id):
        team = selectors.access_team_by_id(actor=self.membership, team_id=team_id)
        return selectors.access_team_membership(team=team, membership_id=member_id)

    @extend_schema(request=TeamMemberUpdateSerializer, responses={200: TeamMemberSerializer, **WRITE_ERRORS})
    def patch(self, request, org_slug, team_id, member_id):
        """Make a team member a team admin, or back."""
        serializer = TeamMemberUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        team_membership = services.team_member_change_role(
            actor=self.membership,
            team_membership=self.team_membership(team_id, member_id),
            role=serializer.validated_data["role"],
            request=request,
        )
        return Response(TeamMemberSerializer(team_membership).data)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)})
    def delete(self, request, org_slug, team_id, member_id):
        """Take a member out of the team (they stay in the organisation)."""
        services.team_member_remove(
            actor=self.membership, team_membership=self.team_membership(team_id, member_id), request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["invitations"])
class InvitationListCreateView(OrganizationScopedAPIView):
    serializer_class = InvitationSerializer
    required_scopes = {"GET": Scope.INVITATIONS_WRITE, "POST": Scope.INVITATIONS_WRITE}

    @extend_schema(responses={200: InvitationSerializer(many=True), **READ_ERRORS})
    def get(self, request, org_slug):
        """Invitations of the organisation, newest first, in every status."""
        page = self.paginate_queryset(selectors.invitations_of_organization(organization=self.organization))
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer, **WRITE_ERRORS})
    def post(self, request, org_slug):
        """Invite someone by email; the email is sent in the background. Nobody invites above
        their own role; an existing member or a pending invitation is a 409."""
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            actor=self.membership, request=request, **serializer.validated_data
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["invitations"])
class InvitationRevokeView(OrganizationScopedAPIView):
    serializer_class = InvitationSerializer
    required_scopes = {"DELETE": Scope.INVITATIONS_WRITE}

    @extend_schema(responses={204: None, **error_responses(401, 403, 404, 409)})
    def delete(self, request, org_slug, invitation_id):
        """Revoke a pending invitation."""
        invitation = selectors.access_invitation_by_id(actor=self.membership, invitation_id=invitation_id)
        services.invitation_revoke(actor=self.membership, invitation=invitation, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["invitations"])
class MyInvitationListView(generics.ListAPIView):
    """Pending invitations to your verified email addresses."""

    serializer_class = MyInvitationSerializer

    def get_queryset(self):
        return selectors.pending_invitations_for_user(user=self.request.user).order_by("-created_at", "-id")


@extend_schema(tags=["invitations"])
class MyInvitationAnswerView(generics.GenericAPIView):
    serializer_class = MyInvitationSerializer
    answer = "accept"

    @extend_schema(
        request=None,
        responses={200: MyOrganizationSerializer, 204: None, **error_responses(401, 403, 404, 409)},
    )
    def post(self, request, public_id):
        """Accept (200, your new membership) or decline (204) an invitation sent to one of your
        verified addresses. Expired or already answered: 409."""
        invitation = selectors.access_invitation_for_user(user=request.user, public_id=public_id)
        if self.answer == "decline":
            services.invitation_decline(user=request.user, invitation=invitation, request=request)
            return Response(status=status.HTTP_204_NO_CONTENT)
        membership = services.invitation_accept(user=request.user, invitation=invitation, request=request)
        return Response(MyOrganizationSerializer(membership).data)


@extend_schema(tags=["data policy"])
class DataPolicyView(OrganizationScopedAPIView):
    serializer_class = DataPolicySerializer
    required_scopes = {"GET": Scope.ORG_READ, "PATCH": Scope.SETTINGS_WRITE}

    @extend_schema(responses={200: DataPolicySerializer, **READ_ERRORS})
    def get(self, request, org_slug):
        """The organisation's data policy, also in plain words. Every member may read it."""
        return Response(DataPolicySerializer(selectors.data_policy_for(organization=self.organization)).data)

    @extend_schema(request=DataPolicyUpdateSerializer, responses={200: DataPolicySerializer, **WRITE_ERRORS})
    def patch(self, request, org_slug):
        """Change the data policy (owners). Each change is in the organisation's audit log."""
        serializer = DataPolicyUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        policy = services.data_policy_update(
            actor=self.membership, request=request, **serializer.validated_data
        )
        return Response(DataPolicySerializer(policy).data)


@extend_schema(tags=["members"])
class MemberDataReviewView(OrganizationScopedAPIView):
    serializer_class = MemberDataRecordSerializer
    required_scopes = {"POST": Scope.MEMBER_DATA_REVIEW}

    @extend_schema(
        request=ReviewRequestSerializer, responses={200: MemberDataRecordSerializer, **WRITE_ERRORS}
    )
    def post(self, request, org_slug, member_id):
        """Open a member's data record, where the data policy allows your role to. The reason is
        required and audited; the member is told who looked, when and why unless the policy says not to."""
        serializer = ReviewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = selectors.access_member_by_id(actor=self.membership, membership_id=member_id)
        record = services.member_data_review(
            actor=self.membership, member=member, reason=serializer.validated_data["reason"], request=request
        )
        return Response(MemberDataRecordSerializer(record).data)


@extend_schema(tags=["account"])
class ReviewsOfMyDataView(generics.GenericAPIView):
    serializer_class = ReviewOfMyDataSerializer

    @extend_schema(responses={200: ReviewOfMyDataSerializer(many=True), **error_responses(400, 401, 403)})
    def get(self, request):
        """Who reviewed your data in your organisations, when and why (where their policy tells you),
        newest first, paginated."""
        page = self.paginate_queryset(selectors.reviews_of_my_data(user=request.user))
        return self.get_paginated_response(ReviewOfMyDataSerializer(page, many=True).data)


@extend_schema(tags=["organisations"])
class OrganizationAuditLogView(OrganizationScopedAPIView):
    serializer_class = AuditEventSerializer
    required_scopes = {"GET": Scope.AUDIT_READ}

    @extend_schema(
        parameters=[AuditFilterSerializer],
        responses={200: AuditEventSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, org_slug):
        """The organisation's audit log, newest first: who did what to whom, and when."""
        filters = AuditFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = selectors.organization_audit_events(organization=self.organization, **filters.validated_data)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(
            AuditEventSerializer(selectors.audit_rows(events=page), many=True).data
        )
