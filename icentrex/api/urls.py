from django.urls import include, path

from accounts import api_views as accounts_api
from consent import api_views as consent_api
from cookies.api_views import DeclarationView
from policies.api_views import MyPolicyAcceptancesView, PolicyListView, PolicyVersionListView

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
    path("policies/", PolicyListView.as_view(), name="api-policies"),
    path("me/policy-acceptances", MyPolicyAcceptancesView.as_view(), name="api-my-policy-acceptances"),
    path("policies/<slug:slug>/versions/", PolicyVersionListView.as_view(), name="api-policy-versions"),
    path("", include("organizations.api_urls")),
    path("", include("data_requests.api_urls")),
]
