from django.urls import path

from . import api_views as views

urlpatterns = [
    path("orgs", views.OrganizationListCreateView.as_view(), name="api-orgs"),
    path("orgs/<slug:org_slug>", views.OrganizationDetailView.as_view(), name="api-org"),
    path("orgs/<slug:org_slug>/leave", views.LeaveOrganizationView.as_view(), name="api-org-leave"),
    path(
        "orgs/<slug:org_slug>/transfer-ownership",
        views.TransferOwnershipView.as_view(),
        name="api-org-transfer-ownership",
    ),
    path("orgs/<slug:org_slug>/members", views.MemberListView.as_view(), name="api-org-members"),
    path(
        "orgs/<slug:org_slug>/members/<int:member_id>",
        views.MemberDetailView.as_view(),
        name="api-org-member",
    ),
    path("orgs/<slug:org_slug>/teams", views.TeamListCreateView.as_view(), name="api-org-teams"),
    path("orgs/<slug:org_slug>/teams/<int:team_id>", views.TeamDetailView.as_view(), name="api-org-team"),
    path(
        "orgs/<slug:org_slug>/teams/<int:team_id>/members",
        views.TeamMemberListView.as_view(),
        name="api-org-team-members",
    ),
    path(
        "orgs/<slug:org_slug>/teams/<int:team_id>/members/<int:member_id>",
        views.TeamMemberDetailView.as_view(),
        name="api-org-team-member",
    ),
    path(
        "orgs/<slug:org_slug>/invitations",
        views.InvitationListCreateView.as_view(),
        name="api-org-invitations",
    ),
    path(
        "orgs/<slug:org_slug>/invitations/<int:invitation_id>",
        views.InvitationRevokeView.as_view(),
        name="api-org-invitation",
    ),
    path("invitations", views.MyInvitationListView.as_view(), name="api-my-invitations"),
    path(
        "invitations/<uuid:public_id>/accept",
        views.MyInvitationAnswerView.as_view(answer="accept"),
        name="api-invitation-accept",
    ),
    path(
        "invitations/<uuid:public_id>/decline",
        views.MyInvitationAnswerView.as_view(answer="decline"),
        name="api-invitation-decline",
    ),
    path("orgs/<slug:org_slug>/data-policy", views.DataPolicyView.as_view(), name="api-org-data-policy"),
    path(
        "orgs/<slug:org_slug>/members/<int:member_id>/review",
        views.MemberDataReviewView.as_view(),
        name="api-org-member-review",
    ),
    path("me/reviews", views.ReviewsOfMyDataView.as_view(), name="api-my-reviews"),
    path(
        "orgs/<slug:org_slug>/audit-events",
        views.OrganizationAuditLogView.as_view(),
        name="api-org-audit-events",
    ),
]
