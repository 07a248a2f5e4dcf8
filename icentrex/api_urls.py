from django.urls import include, path

from accounts import api_views as accounts_api
from consent import api_views as consent_api
from cookies.api_views import DeclarationView
from policies import api_views as policies_api

urlpatterns = [
    path("me", accounts_api.MeView.as_view(), name="api-me"),
    path("tokens", accounts_api.ApiTokenListCreateView.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>", accounts_api.ApiTokenDetailView.as_view(), name="api-token-detail"),
    path("cookies/declaration", DeclarationView.as_view(), name="api-cookie-declaration"),
    path("consent", consent_api.ConsentView.as_view(), name="api-consent"),
    path("consent/history", consent_api.ConsentHistoryView.as_view(), name="api-consent-history"),
    path(
        "consent/receipts/<uuid:record_id>",
        consent_api.ConsentReceiptView.as_view(),
        name="api-consent-receipt",
    ),
    path("policies/", policies_api.PolicyListView.as_view(), name="api-policies"),
    path(
        "me/policy-acceptances",
        policies_api.MyPolicyAcceptancesView.as_view(),
        name="api-my-policy-acceptances",
    ),
    path(
        "policies/notices/<int:version_id>/progress",
        policies_api.NoticeProgressView.as_view(),
        name="api-policy-notice-progress",
    ),
    path(
        "policies/<slug:slug>/versions/",
        policies_api.PolicyVersionListView.as_view(),
        name="api-policy-versions",
    ),
    path(
        "policies/<slug:slug>/versions/<int:version_id>/publish",
        policies_api.PolicyVersionPublishView.as_view(),
        name="api-policy-version-publish",
    ),
    path("", include("organizations.api_urls")),
    path("", include("data_requests.api_urls")),
    path("", include("integrations.api_urls")),
    path("", include("support.api_urls")),
]
