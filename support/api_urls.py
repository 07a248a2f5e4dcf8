from django.urls import path

from . import api_views as views

urlpatterns = [
    path("support/cases/", views.CaseListCreateView.as_view(), name="api-support-cases"),
    path("support/cases/<uuid:case_id>", views.CaseDetailView.as_view(), name="api-support-case"),
]
