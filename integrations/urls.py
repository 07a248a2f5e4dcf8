"""Integration and data-sharing pages, by surface; the roof (icentrex/urls.py) mounts each list."""

from django.urls import path

from . import console, staff_views, views

urlpatterns = [
    path("subprocessors/", views.subprocessors, name="subprocessors"),
    path("subprocessors/confirm/", views.subprocessors_confirm, name="subprocessors_confirm"),
    path("subprocessors/unsubscribe/", views.subprocessors_unsubscribe, name="subprocessors_unsubscribe"),
]

privacy_centre_urls = [
    path("data-sharing/", views.data_sharing, name="privacy_data_sharing"),
    path("integrations/", views.integrations, name="privacy_integrations"),
    path("integrations/<slug:slug>/add/", views.integration_add, name="privacy_integration_add"),
    path(
        "integrations/installed/<uuid:public_id>/remove/",
        views.integration_remove,
        name="privacy_integration_remove",
    ),
]

console_urls = [
    path("integrations/", console.integrations, name="org_integrations"),
    path("integrations/add/", console.integration_add, name="org_integration_add"),
    path("integrations/<uuid:public_id>/", console.integration_detail, name="org_integration"),
    path("integrations/<uuid:public_id>/remove/", console.integration_remove, name="org_integration_remove"),
    path("subprocessors/", console.subprocessors, name="org_subprocessors"),
    path(
        "subprocessors/<uuid:change_id>/object/", console.subprocessor_object, name="org_subprocessor_object"
    ),
]

staff_urls = [
    path("providers/", staff_views.providers, name="staff_providers"),
    path("providers/changes/", staff_views.subprocessor_changes, name="staff_subprocessor_changes"),
    path("providers/new/<slug:kind>/", staff_views.provider_create, name="staff_provider_create"),
    path("providers/<slug:slug>/", staff_views.provider_edit, name="staff_provider"),
    path(
        "providers/<slug:slug>/rotate-secret/",
        staff_views.provider_rotate_secret,
        name="staff_provider_rotate_secret",
    ),
]
