from django.urls import path

from . import api_views as views

urlpatterns = [
    path("me/data-sharing", views.MySharingLogView.as_view(), name="api-my-data-sharing"),
    path("integrations", views.IntegrationCatalogueView.as_view(), name="api-integrations"),
    path("me/integrations", views.MyInstallationListCreateView.as_view(), name="api-my-integrations"),
    path(
        "me/integrations/<uuid:public_id>",
        views.MyInstallationDetailView.as_view(),
        name="api-my-integration",
    ),
    path(
        "orgs/<slug:org_slug>/integrations",
        views.OrgInstallationListCreateView.as_view(),
        name="api-org-integrations",
    ),
    path(
        "orgs/<slug:org_slug>/integrations/<uuid:public_id>",
        views.OrgInstallationDetailView.as_view(),
        name="api-org-integration",
    ),
    path(
        "orgs/<slug:org_slug>/data-sharing",
        views.OrgSharingLogView.as_view(),
        name="api-org-data-sharing",
    ),
    path("providers", views.ProviderListCreateView.as_view(), name="api-providers"),
    path("providers/<slug:slug>", views.ProviderDetailView.as_view(), name="api-provider"),
]
