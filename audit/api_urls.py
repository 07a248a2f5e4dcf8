from django.urls import path

from . import api_views

urlpatterns = [
    path(
        "transparency/<slug:stream>/inclusion",
        api_views.InclusionProofView.as_view(),
        name="api-transparency-inclusion",
    ),
    path(
        "transparency/<slug:stream>/consistency",
        api_views.ConsistencyProofView.as_view(),
        name="api-transparency-consistency",
    ),
]
