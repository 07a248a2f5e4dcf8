from django.urls import path

from . import views

urlpatterns = [
    path("", views.privacy_centre, name="privacy_centre"),
    path("profile/", views.profile, name="privacy_profile"),
    path("security/", views.security, name="privacy_security"),
    path("security/tokens/", views.token_create, name="privacy_token_create"),
    path("security/tokens/<int:token_id>/revoke/", views.token_revoke, name="privacy_token_revoke"),
    path("activity/", views.activity, name="privacy_activity"),
]
