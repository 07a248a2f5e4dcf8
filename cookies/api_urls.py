from django.urls import path

from . import api_views as views

urlpatterns = [
    path("cookies/declaration", views.DeclarationView.as_view(), name="api-cookie-declaration"),
]
