"""The organisations' pages, by surface; the roof (icentrex/urls.py) mounts each list."""

from django.urls import path

from . import console, views

urlpatterns = [
    path("invitations/<uuid:public_id>/", views.invitation_detail, name="invitation_detail"),
]

privacy_centre_urls = [
    path("organisations/", views.my_organizations, name="my_organizations"),
    path("organisations/<slug:org_slug>/leave/", views.leave_organization, name="leave_organization"),
]

console_urls = [
    path("sign-in/", console.org_sign_in, name="org_sign_in"),
    path("sign-out/", console.org_sign_out, name="org_sign_out"),
    path("members/", console.members, name="org_members"),
    path("members/<int:member_id>/role/", console.member_role, name="org_member_role"),
    path("members/<int:member_id>/remove/", console.member_remove, name="org_member_remove"),
    path("members/<int:member_id>/review/", console.member_review, name="org_member_review"),
    path("transfer-ownership/", console.transfer_ownership, name="org_transfer_ownership"),
    path("invitations/", console.invitations, name="org_invitations"),
    path("invitations/<int:invitation_id>/revoke/", console.invitation_revoke, name="org_invitation_revoke"),
    path("teams/", console.teams, name="org_teams"),
    path("teams/<int:team_id>/", console.team_detail, name="org_team"),
    path("teams/<int:team_id>/members/<int:member_id>/", console.team_member_update, name="org_team_member"),
    path("data-policy/", console.data_policy, name="org_policy"),
    path("audit/", console.audit_log, name="org_audit"),
]
