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
    path(
        "orgs/<slug:org_slug>/exports/<int:export_id>/download",
        views.OrganizationExportDownloadView.as_view(),
        name="api-org-export-download",
    ),
]
