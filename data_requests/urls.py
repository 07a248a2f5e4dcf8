"""Copies and deletion, by surface; the roof (icentrex/urls.py) mounts each list."""

from django.urls import path

from . import console, views

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
