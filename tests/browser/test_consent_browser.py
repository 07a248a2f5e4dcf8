import http.server
import socket
import threading

import pytest
from playwright.sync_api import expect

from consent.models import ConsentRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
GA_ID = "G-TEST12345"
# What the intercepted Google Analytics script does here: set its cookie.
FAKE_GTAG = 'document.cookie = "_ga=GA1.1.4242.4242; path=/"; window.__gaLoaded = true;'


@pytest.fixture
def analytics(page, settings):
    settings.GOOGLE_ANALYTICS_ID = GA_ID
    requests = []

    def fulfil(route):
        requests.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body=FAKE_GTAG)

    page.route("https://www.googletagmanager.com/**", fulfil)
    return requests


def ga_cookies(page):
    return [c["name"] for c in page.context.cookies() if c["name"].startswith("_ga")]


def test_analytics_waits_for_consent_and_leaves_on_withdrawal(page, live_server, analytics, screenshot):
    page.goto(live_server.url + "/")
    banner = page.get_by_role("region", name="Cookies on iCentrex")
    expect(banner).to_be_visible()
    screenshot(page, "banner")
    page.wait_for_timeout(300)
    assert analytics == [] and ga_cookies(page) == []  # nothing before consent

    banner.get_by_role("button", name="Accept all").click()
    expect(banner).to_be_hidden()
    page.wait_for_function("window.__gaLoaded === true")
    assert len(analytics) == 1 and GA_ID in analytics[0]
    assert ga_cookies(page) == ["_ga"]
    record = ConsentRecord.objects.get()
    assert (record.method, record.choices["analytics"]) == ("banner_accept_all", True)
    assert record.ua_family in ("Chrome", "HeadlessChrome") and record.ip_prefix == "127.0.0.0"

    # Withdrawing takes the same single click, from the footer's Cookie settings.
    page.get_by_role("contentinfo").get_by_role("link", name="Cookie settings").click()
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Reject all").click()
    expect(banner).to_be_hidden()
    assert ga_cookies(page) == []
    assert page.locator("#icx-analytics").count() == 0
    assert list(ConsentRecord.objects.order_by("seq").values_list("action", flat=True)) == [
        "grant",
        "withdraw",
    ]

    page.reload()
    expect(banner).to_be_hidden()
    page.wait_for_timeout(300)
    assert len(analytics) == 1  # not loaded again after withdrawal


def test_custom_choices_without_analytics_load_nothing(page, live_server, analytics):
    page.goto(live_server.url + "/cookies/")
    banner = page.get_by_role("region", name="Cookies on iCentrex")
    banner.get_by_text("Choose by category").click()
    banner.get_by_label("Preferences").check()
    banner.get_by_role("button", name="Save my choices").click()
    expect(banner).to_be_hidden()
    page.wait_for_timeout(300)
    assert analytics == [] and ga_cookies(page) == []
    assert ConsentRecord.objects.get().choices == {
        "necessary": True,
        "preferences": True,
        "analytics": False,
        "marketing": False,
    }


def _serve(html: str):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture
def property_site(live_server):
    html = (
        '<!doctype html><html lang="en"><head><title>Another iCentrex site</title></head><body>'
        "<h1>iCentrex blog</h1>"
        f'<script src="{live_server.url}/static/js/embed.js" defer></script></body></html>'
    )
    server, url = _serve(html)
    yield url
    server.shutdown()


def test_embed_from_an_allowed_origin_records_with_that_origin(
    page, live_server, property_site, settings, screenshot
):
    settings.CORS_ALLOWED_ORIGINS = [property_site]
    page.goto(property_site + "/")
    banner = page.get_by_role("region", name="Cookie choices")
    expect(banner).to_be_visible()
    screenshot(page, "embed")
    banner.get_by_role("button", name="Reject all").click()
    expect(banner).to_be_hidden()
    record = ConsentRecord.objects.get()
    assert record.origin == property_site and record.method == "banner_reject_all"
    page.reload()
    page.wait_for_timeout(500)
    expect(page.get_by_role("region", name="Cookie choices")).to_have_count(0)  # remembered


def test_embed_from_a_disallowed_origin_is_refused(page, live_server, property_site, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.icentrex.example"]
    page.goto(property_site + "/")
    page.wait_for_timeout(500)
    # The browser may not even read the declaration from there (no CORS grant)...
    expect(page.get_by_role("region", name="Cookie choices")).to_have_count(0)
    # ...and a decision sent anyway (a "simple" request needs no preflight) is refused by the server.
    status = page.evaluate(
        """async (url) => {
            const response = await fetch(url, {method: "POST", mode: "no-cors",
                headers: {"Content-Type": "text/plain"}, body: "{}"});
            return response.type;
        }""",
        live_server.url + "/api/v1/consent",
    )
    assert status == "opaque"
    assert ConsentRecord.objects.count() == 0


def test_signed_in_choices_are_the_accounts(page, live_server):
    from tests.factories import PASSWORD, UserFactory

    UserFactory(email="sigrid@example.org", name="Sigrid")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("sigrid@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    banner = page.get_by_role("region", name="Cookies on iCentrex")
    banner.get_by_role("button", name="Reject all").click()  # through the API, with the CSRF token
    expect(banner).to_be_hidden()
    record = ConsentRecord.objects.get()
    assert record.subject_type == "account" and record.method == "banner_reject_all"
    page.goto(live_server.url + "/privacy/cookies/")
    expect(
        page.get_by_role("cell", name="Withdrew").or_(page.get_by_role("cell", name="Denied"))
    ).to_be_visible()
