from django.urls import path

from . import api_views as views

urlpatterns = [
    path("me", views.MeView.as_view(), name="api-me"),
    path("tokens", views.ApiTokenListCreateView.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>", views.ApiTokenDetailView.as_view(), name="api-token-detail"),
]
