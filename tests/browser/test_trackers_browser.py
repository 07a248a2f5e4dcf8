"""Undeclared-tracker discovery and blocking beyond <script>, end to end in
Chromium, on another iCentrex site that embeds the banner. The third parties
are this machine under other names (*.localhost resolves to loopback)."""

import http.server
import socket
import threading
import time

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from consent.models import ConsentRecord
from cookies.models import CookieCategory, DeclaredHost, TrackerSighting
from cookies.services import declaration_publish
from tests.factories import UserFactory

from .axe import serious_violations
from .journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPTS = {
    "/t.js": "window.__trackerLoaded = true; document.cookie = 'trk_uid=42; path=/';",
    "/ads.js": "window.__adsLoaded = true;",
}


class Site:
    """One loopback server answering as the property and as its third parties; it
    notes every request (host and path) so a test can tell what was fetched."""

    def __init__(self, page_html):
        self.requests = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append((self.headers.get("Host", "").split(":")[0], self.path))
                if self.path in SCRIPTS:
                    body, kind = SCRIPTS[self.path].encode(), "application/javascript"
                elif self.path.startswith("/frame"):
                    body, kind = b"<!doctype html><title>Video</title><p>A video player</p>", "text/html"
                else:
                    body, kind = page_html(site.port).encode(), "text/html; charset=utf-8"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}"

    def fetched(self, host, path):
        return (host, path) in self.requests


@pytest.fixture
def site(live_server, settings):
    sites = []

    def make(body_script: str):
        def html(port):
            return (
                '<!doctype html><html lang="en"><head><title>iCentrex blog</title>'
                f'<script src="{live_server.url}/static/js/embed.js" data-report-sample="1"></script>'
                "</head><body><h1>iCentrex blog</h1><main id='content'></main>"
                f"<script>var PORT = {port};{body_script}</script></body></html>"
            )

        made = Site(html)
        sites.append(made)
        settings.CORS_ALLOWED_ORIGINS = [made.url]
        return made

    yield make
    for made in sites:
        made.server.shutdown()


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_undeclared_cookie_and_script_host_reach_the_officer_who_declares_them(
    page, browser, live_server, site, screenshot
):
    property_site = site(
        "document.cookie = '_fbp=fb.1.1700000000.42; path=/';"
        "var s = document.createElement('script'); s.src = 'http://tracker.localhost:' + PORT + '/t.js';"
        "document.head.appendChild(s);"
    )
    responses = []
    page.on("response", lambda r: responses.append((r.url, r.status)) if "trackers" in r.url else None)

    page.goto(property_site.url + "/")
    page.wait_for_function("() => window.__trackerLoaded === true")  # undeclared: it loads, and is reported
    assert wait_for(lambda: TrackerSighting.objects.filter(name="tracker.localhost").exists()), responses
    found = {(s.kind, s.name): s for s in TrackerSighting.objects.all()}
    assert ("cookie", "_fbp") in found and ("host", "tracker.localhost") in found
    assert found[("cookie", "_fbp")].suggested_category == "marketing"
    assert found[("cookie", "_fbp")].origin == property_site.url
    # Names only: no value the page held was sent or kept.
    assert not TrackerSighting.objects.filter(name__contains="1700000000").exists()
    # The embed's own storage key and the privacy site are declared, so not reported.
    assert ("storage", "icx-consent") not in found and ("host", "localhost") not in found

    officer = UserFactory(email="officer@icentrex.example")
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    staff = browser.new_context().new_page()
    sign_in(staff, live_server.url, officer.email)
    staff.goto(live_server.url + "/staff/trackers/")
    row = staff.get_by_role("row").filter(has_text="tracker.localhost")
    expect(row).to_be_visible()
    screenshot(staff, "trackers-report")
    assert serious_violations(staff) == []
    row.get_by_role("link", name="Add to declaration").click()
    staff.get_by_label("Category").select_option("marketing")
    staff.get_by_label("Provider").fill("Tracker Inc.")
    staff.get_by_label("Purpose", exact=True).fill("Counts visits across sites for advertising.")
    staff.get_by_label("Purpose in Swedish").fill("Räknar besök på flera webbplatser för annonser.")
    staff.get_by_role("button", name="Add and publish").click()
    expect(staff.locator(".messages")).to_contain_text("tracker.localhost is in the cookie declaration")
    assert DeclaredHost.objects.get(host="tracker.localhost").category.key == "marketing"
    staff.set_viewport_size({"width": 375, "height": 800})
    staff.goto(live_server.url + "/staff/trackers/?status=declared")
    screenshot(staff, "trackers-declared-phone")
    assert serious_violations(staff) == []

    # Declared under marketing, the same script is now held for a new visitor until they agree.
    fresh = browser.new_context().new_page()
    fresh.goto(property_site.url + "/")
    expect(fresh.get_by_role("region", name="Cookie choices")).to_be_visible()
    fresh.wait_for_timeout(500)
    assert fresh.evaluate("() => window.__trackerLoaded") is None


def test_frames_and_scripts_added_later_wait_for_consent(browser, live_server, site, screenshot):
    marketing = CookieCategory.objects.get(key="marketing")
    DeclaredHost.objects.create(
        category=marketing, host="video.localhost", provider="Video Co", purpose="Plays embedded videos."
    )
    declaration_publish(actor=None)
    property_site = site(
        # A frame made in code, a frame in inserted markup, a script made in code.
        "var f = document.createElement('iframe'); f.src = 'http://video.localhost:' + PORT + '/frame-a';"
        "f.title = 'Video A'; document.getElementById('content').appendChild(f);"
        "var d = document.createElement('div'); document.getElementById('content').appendChild(d);"
        'd.innerHTML = \'<iframe title="Video B" src="http://video.localhost:\' + PORT'
        " + '/frame-b\"></iframe>';"
        "var s = document.createElement('script');"
        "s.setAttribute('src', 'http://video.localhost:' + PORT + '/ads.js');"
        "document.body.appendChild(s);"
    )
    context = browser.new_context()
    page = context.new_page()
    page.goto(property_site.url + "/")
    held = page.get_by_role("group", name="Blocked content")
    expect(held).to_have_count(2)
    expect(held.first).to_contain_text("Blocked: content from video.localhost")
    page.get_by_role("region", name="Cookie choices").get_by_role("button", name="Reject all").click()
    screenshot(page, "held-frames")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "held-frames-phone")
    assert serious_violations(page) == []
    assert not property_site.fetched("video.localhost", "/frame-a")
    assert not property_site.fetched("video.localhost", "/ads.js")
    assert page.evaluate("() => window.__adsLoaded") is None

    held.first.get_by_role("button", name="Allow Marketing").click()
    expect(held).to_have_count(0)
    page.wait_for_function("() => window.__adsLoaded === true")
    expect(page.frame_locator('iframe[title="Video A"]').get_by_text("A video player")).to_be_visible()
    expect(page.frame_locator('iframe[title="Video B"]').get_by_text("A video player")).to_be_visible()
    latest = ConsentRecord.objects.order_by("-seq").first()
    assert latest.method == "banner_custom" and latest.choices["marketing"] is True

    # A returning visitor who agreed: nothing is held. (What the test waits for is the
    # script and the frames' absence of a hold, not every frame's "load".)
    page.reload(wait_until="domcontentloaded")
    page.wait_for_function("() => window.__adsLoaded === true")
    expect(page.get_by_role("group", name="Blocked content")).to_have_count(0)
    context.close()
