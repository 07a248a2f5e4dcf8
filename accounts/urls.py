"""Account pages of the privacy centre; the roof (icentrex/urls.py) mounts them."""

from django.urls import path

from . import views

privacy_centre_urls = [
    path("profile/", views.profile, name="privacy_profile"),
    path("security/", views.security, name="privacy_security"),
    path("security/tokens/", views.token_create, name="privacy_token_create"),
    path("security/tokens/<int:token_id>/revoke/", views.token_revoke, name="privacy_token_revoke"),
    path("activity/", views.activity, name="privacy_activity"),
    path("who-looked/", views.access_log, name="privacy_access_log"),
]
