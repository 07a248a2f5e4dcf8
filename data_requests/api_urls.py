from django.urls import path

from . import api_views as views

urlpatterns = [
    path(
        "orgs/<slug:org_slug>/exports",
        views.OrganizationExportListCreateView.as_view(),
        name="api-org-exports",
    ),
    path(
        "orgs/<slug:org_slug>/exports/<int:export_id>",
        views.OrganizationExportDetailView.as_view(),
        name="api-org-export",
    ),
    path("me/export", views.MyExportCreateView.as_view(), name="api-my-export"),
    path("me/export/<uuid:export_id>", views.MyExportDetailView.as_view(), name="api-my-export-detail"),
    path("me/erasure", views.MyErasureView.as_view(), name="api-my-erasure"),
]
