from django.urls import path

from integrations import console as integrations
from support import console as support

from . import console as views

urlpatterns = [
    path("sign-in/", views.org_sign_in, name="org_sign_in"),
    path("sign-out/", views.org_sign_out, name="org_sign_out"),
    path("members/", views.members, name="org_members"),
    path("members/<int:member_id>/role/", views.member_role, name="org_member_role"),
    path("members/<int:member_id>/remove/", views.member_remove, name="org_member_remove"),
    path("members/<int:member_id>/review/", views.member_review, name="org_member_review"),
    path("transfer-ownership/", views.transfer_ownership, name="org_transfer_ownership"),
    path("invitations/", views.invitations, name="org_invitations"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="org_invitation_revoke"),
    path("teams/", views.teams, name="org_teams"),
    path("teams/<int:team_id>/", views.team_detail, name="org_team"),
    path("teams/<int:team_id>/members/<int:member_id>/", views.team_member_update, name="org_team_member"),
    path("data-policy/", views.data_policy, name="org_policy"),
    path("audit/", views.audit_log, name="org_audit"),
    path("exports/", views.exports, name="org_exports"),
    path("exports/<uuid:export_public_id>/download/", views.export_download, name="org_export_download"),
    path("domains/", views.domains, name="org_domains"),
    path("domains/<int:domain_id>/verify/", views.domain_verify, name="org_domain_verify"),
    path("domains/<int:domain_id>/revoke/", views.domain_revoke, name="org_domain_revoke"),
    path("domains/dry-run/", views.disclosure_dry_run, name="org_disclosure_dry_run"),
    path("disclosures/", views.disclosures, name="org_disclosures"),
    path("integrations/", integrations.integrations, name="org_integrations"),
    path("integrations/add/", integrations.integration_add, name="org_integration_add"),
    path("integrations/<uuid:public_id>/", integrations.integration_detail, name="org_integration"),
    path(
        "integrations/<uuid:public_id>/remove/",
        integrations.integration_remove,
        name="org_integration_remove",
    ),
    path("support-cases/", support.shared_cases, name="org_shared_cases"),
    path("support-cases/<uuid:share_id>/", support.shared_case, name="org_shared_case"),
    path("support-cases/<uuid:share_id>/reply/", support.shared_case_reply, name="org_shared_case_reply"),
]
