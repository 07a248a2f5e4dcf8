from django.urls import path

from . import api_views as views

urlpatterns = [
    path("policies/", views.PolicyListView.as_view(), name="api-policies"),
    path("me/policy-acceptances", views.MyPolicyAcceptancesView.as_view(), name="api-my-policy-acceptances"),
    path(
        "policies/notices/<int:version_id>/progress",
        views.NoticeProgressView.as_view(),
        name="api-policy-notice-progress",
    ),
    path("policies/<slug:slug>/versions/", views.PolicyVersionListView.as_view(), name="api-policy-versions"),
    path(
        "policies/<slug:slug>/versions/<int:version_id>/publish",
        views.PolicyVersionPublishView.as_view(),
        name="api-policy-version-publish",
    ),
]
