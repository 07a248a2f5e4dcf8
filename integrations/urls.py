from django.urls import path

from . import staff_views, views

urlpatterns = [
    path("privacy/data-sharing/", views.data_sharing, name="privacy_data_sharing"),
    path("privacy/integrations/", views.integrations, name="privacy_integrations"),
    path("privacy/integrations/<slug:slug>/add/", views.integration_add, name="privacy_integration_add"),
    path(
        "privacy/integrations/installed/<uuid:public_id>/remove/",
        views.integration_remove,
        name="privacy_integration_remove",
    ),
    path("staff/providers/", staff_views.providers, name="staff_providers"),
    path("staff/providers/new/<slug:kind>/", staff_views.provider_create, name="staff_provider_create"),
    path("staff/providers/<slug:slug>/", staff_views.provider_edit, name="staff_provider"),
    path(
        "staff/providers/<slug:slug>/rotate-secret/",
        staff_views.provider_rotate_secret,
        name="staff_provider_rotate_secret",
    ),
]
