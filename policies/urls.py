"""Policy pages, by surface; the roof (icentrex/urls.py) mounts each list."""

from django.urls import path

from . import staff_views, views

urlpatterns = [
    path("policies/accept/", views.policy_accept, name="policy_accept"),
    path(
        "policies/updates/acknowledge/", views.policy_updates_acknowledge, name="policy_updates_acknowledge"
    ),
    path("policies/<slug:slug>/", views.policy, name="policy"),
    path("policies/<slug:slug>/versions/<int:number>/", views.policy, name="policy_version"),
    path("policies/<slug:slug>/diff/", views.policy_diff, name="policy_diff"),
]

privacy_centre_urls = [
    path("policies/", views.my_policy_updates, name="privacy_policies"),
]

staff_urls = [
    path("policies/notices/", staff_views.notice_runs, name="staff_policy_notice_runs"),
    path("policies/notices/<int:version_id>/", staff_views.notice_progress, name="staff_policy_notices"),
    path("policies/<slug:slug>/", staff_views.policy_drafts, name="staff_policy_drafts"),
    path(
        "policies/<slug:slug>/drafts/<int:version_id>/", staff_views.policy_draft, name="staff_policy_draft"
    ),
    path(
        "policies/<slug:slug>/drafts/<int:version_id>/publish/",
        staff_views.policy_draft_publish,
        name="staff_policy_publish",
    ),
]
