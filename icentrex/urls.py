from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from organizations import views as organization_views
from policies import views as policy_views

from . import dev_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.language_switch, name="language_switch"),
    path("accounts/", include("allauth.urls")),
    path("", include("consent.urls")),
    path("", include("support.urls")),
    path("", include("integrations.urls")),
    path("policies/", include("policies.urls")),
    path("privacy/policies/", policy_views.my_policy_updates, name="privacy_policies"),
    path("privacy/disclosures/", organization_views.my_disclosures, name="privacy_disclosures"),
    path(
        "privacy/disclosures/acknowledge/",
        organization_views.my_disclosures_acknowledge,
        name="privacy_disclosures_acknowledge",
    ),
    path("privacy/data/", include("data_requests.urls")),
    path("privacy/", include("accounts.urls")),
    path("privacy/organisations/", include("organizations.urls")),
    path("orgs/<slug:org_slug>/", include("organizations.console_urls")),
    path("invitations/<uuid:public_id>/", organization_views.invitation_detail, name="invitation_detail"),
    path("api/v1/", include("icentrex.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    # Local tools: every view answers 404 unless DEBUG is on (icentrex/dev_views.py).
    path("dev/mailbox/", dev_views.mailbox, name="dev_mailbox"),
    path("dev/mailbox/<str:name>", dev_views.mailbox_message, name="dev_mailbox_message"),
    path("dev/webhooks/", dev_views.webhooks, name="dev_webhooks"),
    path("dev/webhooks/<slug:slug>/", dev_views.webhook_receive, name="dev_webhook_receive"),
]

handler400 = "icentrex.views.bad_request"
handler403 = "icentrex.views.permission_denied"
handler404 = "icentrex.views.page_not_found"
handler500 = "icentrex.views.server_error"

if settings.BENCH_ENDPOINTS:
    from . import bench_views

    urlpatterns += [
        path("_bench/json", bench_views.bare_json),
        path("_bench/insert", bench_views.bare_insert),
    ]

if settings.DEBUG:
    # Lets developers look at the error pages while DEBUG shows tracebacks instead.
    urlpatterns += [path("_errors/404/", views.page_not_found), path("_errors/500/", views.server_error)]
