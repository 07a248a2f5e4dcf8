"""/api/v1/: each app's API URLs, composed on the roof like the pages."""

from django.urls import include, path

urlpatterns = [
    path("", include(f"{app}.api_urls"))
    for app in (
        "accounts",
        "audit",
        "cookies",
        "consent",
        "policies",
        "organizations",
        "domains",
        "data_requests",
        "integrations",
        "support",
    )
]
