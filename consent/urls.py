from django.urls import path

from policies import staff_views as policy_staff

from . import staff_views, views

urlpatterns = [
    path("cookies/", views.cookie_policy, name="cookie_policy"),
    path("cookies/settings/", views.cookie_settings, name="cookie_settings"),
    path("cookies/choices/", views.record_choices, name="cookie_choices"),
    path("staff/consent/", staff_views.consent_figures, name="staff_consent"),
    path("staff/policies/notices/", policy_staff.notice_runs, name="staff_policy_notice_runs"),
    path(
        "staff/policies/notices/<int:version_id>/", policy_staff.notice_progress, name="staff_policy_notices"
    ),
    path("staff/policies/<slug:slug>/", policy_staff.policy_drafts, name="staff_policy_drafts"),
    path(
        "staff/policies/<slug:slug>/drafts/<int:version_id>/",
        policy_staff.policy_draft,
        name="staff_policy_draft",
    ),
    path(
        "staff/policies/<slug:slug>/drafts/<int:version_id>/publish/",
        policy_staff.policy_draft_publish,
        name="staff_policy_publish",
    ),
    path("privacy/cookies/", views.privacy_cookies, name="privacy_cookies"),
    path("privacy/cookies/receipts/<uuid:record_id>/", views.receipt, name="consent_receipt"),
]
