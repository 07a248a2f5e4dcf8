from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import urls as accounts
from audit import urls as audit
from consent import urls as consent
from data_requests import urls as data_requests
from domains import urls as domains
from integrations import urls as integrations
from organizations import urls as organizations
from policies import urls as policies
from registers import urls as registers
from support import urls as support

from . import dev_views, views

# The three surfaces are composed here, from the lists each app offers, so an app
# never mounts another app's pages. Paths and names are the apps' own.
privacy_centre = [
    path("", views.privacy_centre, name="privacy_centre"),
    *accounts.privacy_centre_urls,
    *consent.privacy_centre_urls,
    *policies.privacy_centre_urls,
    *organizations.privacy_centre_urls,
    *domains.privacy_centre_urls,
    *integrations.privacy_centre_urls,
    *support.privacy_centre_urls,
    *data_requests.privacy_centre_urls,
]
organisation_console = [
    *organizations.console_urls,
    *domains.console_urls,
    *data_requests.console_urls,
    *integrations.console_urls,
    *support.console_urls,
    *registers.console_urls,
]
staff_console = [
    path("", views.staff_home, name="staff_home"),
    *support.staff_urls,
    *consent.staff_urls,
    *policies.staff_urls,
    *integrations.staff_urls,
    *data_requests.staff_urls,
    *registers.staff_urls,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.language_switch, name="language_switch"),
    path("accounts/", include("allauth.urls")),
    *audit.urlpatterns,
    *consent.urlpatterns,
    *policies.urlpatterns,
    *support.urlpatterns,
    *integrations.urlpatterns,
    *organizations.urlpatterns,
    path("privacy/", include(privacy_centre)),
    path("orgs/<slug:org_slug>/", include(organisation_console)),
    path("staff/", include(staff_console)),
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
