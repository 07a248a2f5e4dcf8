from django.urls import path

from . import api_views as views

urlpatterns = [
    path("support/cases/", views.CaseListCreateView.as_view(), name="api-support-cases"),
    path("support/cases/<uuid:case_id>", views.CaseDetailView.as_view(), name="api-support-case"),
    path(
        "support/cases/<uuid:case_id>/mask-preview",
        views.CaseMaskPreviewView.as_view(),
        name="api-support-case-mask-preview",
    ),
    path("support/cases/<uuid:case_id>/share", views.CaseShareView.as_view(), name="api-support-case-share"),
    path(
        "orgs/<slug:org_slug>/shared-cases/",
        views.OrgSharedCaseListView.as_view(),
        name="api-org-shared-cases",
    ),
    path(
        "orgs/<slug:org_slug>/shared-cases/<uuid:share_id>",
        views.OrgSharedCaseDetailView.as_view(),
        name="api-org-shared-case",
    ),
]
