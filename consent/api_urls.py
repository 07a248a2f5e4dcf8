from django.urls import path

from . import api_views as views

urlpatterns = [
    path("consent", views.ConsentView.as_view(), name="api-consent"),
    path("consent/trackers", views.TrackerReportView.as_view(), name="api-consent-trackers"),
    path("consent/history", views.ConsentHistoryView.as_view(), name="api-consent-history"),
    path("consent/receipts/<uuid:record_id>", views.ConsentReceiptView.as_view(), name="api-consent-receipt"),
    path(
        "consent/receipts/<uuid:record_id>/kantara",
        views.ConsentKantaraReceiptView.as_view(),
        name="api-consent-receipt-kantara",
    ),
]
