from django.urls import path

from . import api_views as views

urlpatterns = [
    path("orgs/<slug:org_slug>/domains", views.DomainClaimListCreateView.as_view(), name="api-org-domains"),
    path(
        "orgs/<slug:org_slug>/domains/<int:domain_id>",
        views.DomainClaimDetailView.as_view(),
        name="api-org-domain",
    ),
    path(
        "orgs/<slug:org_slug>/domains/<int:domain_id>/verify",
        views.DomainClaimVerifyView.as_view(),
        name="api-org-domain-verify",
    ),
    path("orgs/<slug:org_slug>/disclosures", views.DisclosureListView.as_view(), name="api-org-disclosures"),
    path(
        "orgs/<slug:org_slug>/disclosures/dry-run",
        views.DisclosureDryRunView.as_view(),
        name="api-org-disclosure-dry-run",
    ),
    path("me/disclosures", views.MyDisclosuresView.as_view(), name="api-my-disclosures"),
]
