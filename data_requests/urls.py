"""Copies and deletion, by surface; the roof (icentrex/urls.py) mounts each list."""

from django.urls import path

from . import console, staff_views, views

privacy_centre_urls = [
    path("data/", views.my_data, name="privacy_data"),
    path("data/export/", views.export_request, name="privacy_export_request"),
    path("data/exports/<uuid:public_id>/download/", views.export_download, name="privacy_export_download"),
    path("data/delete/", views.delete_account, name="privacy_delete_account"),
    path("data/delete/confirm/", views.delete_account_confirm, name="privacy_delete_confirm"),
    path("data/delete/cancel/", views.delete_account_cancel, name="privacy_delete_cancel"),
]

console_urls = [
    path("exports/", console.exports, name="org_exports"),
    path("exports/<uuid:export_public_id>/download/", console.export_download, name="org_export_download"),
]

staff_urls = [
    path("requests/", staff_views.subject_requests, name="staff_subject_requests"),
    path("requests/new/", staff_views.subject_request_new, name="staff_subject_request_new"),
    path("requests/figures/", staff_views.subject_request_figures, name="staff_subject_request_figures"),
    path("requests/<uuid:public_id>/", staff_views.subject_request, name="staff_subject_request"),
    path(
        "requests/<uuid:public_id>/identity/",
        staff_views.subject_request_identity,
        name="staff_subject_request_identity",
    ),
    path(
        "requests/<uuid:public_id>/extend/",
        staff_views.subject_request_extend,
        name="staff_subject_request_extend",
    ),
    path(
        "requests/<uuid:public_id>/close/",
        staff_views.subject_request_close,
        name="staff_subject_request_close",
    ),
    path("packs/", staff_views.evidence_packs, name="staff_evidence_packs"),
    path(
        "packs/<uuid:public_id>/download/",
        staff_views.evidence_pack_download,
        name="staff_evidence_pack_download",
    ),
    path(
        "requests/classify/<slug:source>/<int:ref_id>/",
        staff_views.subject_request_classify,
        name="staff_subject_request_classify",
    ),
]
