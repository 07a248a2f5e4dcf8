from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_data, name="privacy_data"),
    path("export/", views.export_request, name="privacy_export_request"),
    path("exports/<uuid:public_id>/download/", views.export_download, name="privacy_export_download"),
    path("delete/", views.delete_account, name="privacy_delete_account"),
    path("delete/confirm/", views.delete_account_confirm, name="privacy_delete_confirm"),
    path("delete/cancel/", views.delete_account_cancel, name="privacy_delete_cancel"),
]
