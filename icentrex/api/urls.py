from django.urls import include, path

from accounts import api_views as accounts_api

urlpatterns = [
    path("me", accounts_api.MeView.as_view(), name="api-me"),
    path("tokens", accounts_api.ApiTokenListCreateView.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>", accounts_api.ApiTokenDetailView.as_view(), name="api-token-detail"),
    path("", include("organizations.api_urls")),
    path("", include("data_requests.api_urls")),
]
