"""Cookie consent pages, by surface; the roof (icentrex/urls.py) mounts each list."""

from django.urls import path

from . import staff_views, views

urlpatterns = [
    path(".well-known/gpc.json", views.gpc_support, name="gpc_support"),
    path("cookies/", views.cookie_policy, name="cookie_policy"),
    path("cookies/settings/", views.cookie_settings, name="cookie_settings"),
    path("cookies/choices/", views.record_choices, name="cookie_choices"),
    path("do-not-sell-or-share/", views.do_not_sell, name="do_not_sell"),
]

privacy_centre_urls = [
    path("cookies/", views.privacy_cookies, name="privacy_cookies"),
    path("cookies/receipts/<uuid:record_id>/", views.receipt, name="consent_receipt"),
    path(
        "cookies/receipts/<uuid:record_id>/kantara.<str:format>",
        views.receipt_kantara,
        name="consent_receipt_kantara",
    ),
]

staff_urls = [
    path("consent/", staff_views.consent_figures, name="staff_consent"),
    path("trackers/", staff_views.trackers, name="staff_trackers"),
    path("trackers/<int:pk>/declare/", staff_views.tracker_declare, name="staff_tracker_declare"),
    path("trackers/<int:pk>/dismiss/", staff_views.tracker_dismiss, name="staff_tracker_dismiss"),
]
