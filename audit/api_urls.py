from django.urls import path

from . import api_views

urlpatterns = [
    path(
        "transparency/<slug:stream>/leaves/<int:leaf_index>/inclusion",
        api_views.LeafInclusionProofView.as_view(),
        name="api-transparency-leaf-inclusion",
    ),
    path(
        "transparency/<slug:stream>/records/<str:record>/inclusion",
        api_views.RecordInclusionProofView.as_view(),
        name="api-transparency-record-inclusion",
    ),
    path(
        "transparency/<slug:stream>/consistency",
        api_views.ConsistencyProofView.as_view(),
        name="api-transparency-consistency",
    ),
]
