"""Google Consent Mode v2 and Global Privacy Control in a real browser: the
page's dataLayer is read in every case (first visit, accept, reject, custom,
withdraw, GPC, returning visitor, region defaults). Google's script is never
fetched: the route serves a local stub that notes what consent state the tag
found when it loaded."""

import pytest
from playwright.sync_api import expect

from consent.models import ConsentRecord

from .test_consent_browser import property_site  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GA_ID = "G-TEST12345"
# The tag stub: what was in the dataLayer when "Google's" script ran.
STUB_TAG = "window.__tagSaw = window.dataLayer.map(function (e) { return Array.from(e); });"
TYPES = (
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
)
# A browser with Global Privacy Control on: the header on every request, the property for scripts.
GPC_SCRIPT = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"


def state(granted=()):
    return {t: "granted" if t in granted or t == "security_storage" else "denied" for t in TYPES}


ALL = TYPES
NONE = ()


@pytest.fixture
def tag(page, settings):
    settings.GOOGLE_ANALYTICS_ID = GA_ID
    fetched = []

    def fulfil(route):
        fetched.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body=STUB_TAG)

    page.route("https://www.googletagmanager.com/**", fulfil)
    return fetched


def consent_commands(page) -> list[list]:
    layer = page.evaluate("() => (window.dataLayer || []).map(e => Array.from(e))")
    return [entry[1:] for entry in layer if entry and entry[0] == "consent"]


def last_update(page) -> dict:
    updates = [args[1] for args in consent_commands(page) if args[0] == "update"]
    return updates[-1] if updates else None


def banner_of(page):
    return page.get_by_role("region", name="Cookies on iCentrex")


def test_first_visit_everything_denied_and_the_tag_waits(page, live_server, tag):
    page.goto(live_server.url + "/")
    expect(banner_of(page)).to_be_visible()
    assert consent_commands(page) == [["default", {**state(NONE), "wait_for_update": 500}]]
    assert tag == []  # no tag without consent


def test_accept_grants_every_type_before_the_tag_loads(page, live_server, tag):
    page.goto(live_server.url + "/")
    banner_of(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("() => window.__tagSaw !== undefined")
    assert last_update(page) == state(ALL)
    saw = [entry[1:] for entry in page.evaluate("window.__tagSaw") if entry[0] == "consent"]
    assert saw[0][0] == "default" and saw[-1] == ["update", state(ALL)]

    # Returning visitor: the default and then the stored choices, before the tag loads again.
    page.reload()
    page.wait_for_function("() => window.__tagSaw !== undefined")
    assert consent_commands(page) == [
        ["default", {**state(NONE), "wait_for_update": 500}],
        ["update", state(ALL)],
    ]
    saw = [entry[1:] for entry in page.evaluate("window.__tagSaw") if entry[0] == "consent"]
    assert saw == consent_commands(page)


def test_reject_denies_everything_but_security(page, live_server, tag):
    page.goto(live_server.url + "/")
    banner_of(page).get_by_role("button", name="Reject all").click()
    expect(banner_of(page)).to_be_hidden()
    assert last_update(page) == state(NONE)
    assert tag == []


def test_custom_choices_grant_only_their_types_and_withdrawal_updates(page, live_server, tag):
    page.goto(live_server.url + "/")
    banner = banner_of(page)
    banner.get_by_text("Choose by category").click()
    banner.get_by_label("Preferences").check()
    banner.get_by_label("Analytics").check()
    banner.get_by_role("button", name="Save my choices").click()
    expect(banner).to_be_hidden()
    assert last_update(page) == state(
        ("functionality_storage", "personalization_storage", "analytics_storage")
    )

    page.get_by_role("contentinfo").get_by_role("link", name="Cookie settings").click()
    banner.get_by_role("button", name="Withdraw consent to Analytics").click()
    expect(banner).to_be_hidden()
    assert last_update(page) == state(("functionality_storage", "personalization_storage"))
    assert ConsentRecord.objects.order_by("-seq").first().action == "withdraw"


def test_region_defaults_follow_the_global_default(page, live_server, tag, settings):
    settings.CONSENT_MODE_REGION_DEFAULTS = {"US-CA": {"analytics_storage": "granted"}}
    page.goto(live_server.url + "/")
    assert consent_commands(page)[1] == ["default", {"analytics_storage": "granted", "region": ["US-CA"]}]


def test_gpc_header_and_property_keep_advertising_denied(browser, live_server, settings, screenshot):
    settings.GOOGLE_ANALYTICS_ID = GA_ID
    context = browser.new_context(extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script(GPC_SCRIPT)
    page = context.new_page()
    page.route("https://www.googletagmanager.com/**", lambda route: route.fulfill(body=STUB_TAG))
    page.goto(live_server.url + "/")
    banner = banner_of(page)
    expect(banner.locator("[data-gpc-summary]")).to_be_visible()
    expect(banner.locator("[data-gpc-summary]")).to_contain_text("Opt-out preference signal honoured")
    screenshot(page, "gpc-banner")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "gpc-banner-phone")
    record = ConsentRecord.objects.get()  # recorded from the header on the page view; the script saw it done
    assert (record.method, record.gpc, record.choices) == (
        "gpc",
        True,
        {"necessary": True, "marketing": False},
    )

    banner.get_by_role("button", name="Accept all").click()
    expect(banner).to_be_hidden()
    advertising = ("ad_storage", "ad_user_data", "ad_personalization")
    assert last_update(page) == state(set(TYPES) - set(advertising))

    # Granted one by one, the person's own choice wins, and the page says so.
    page.get_by_role("contentinfo").get_by_role("link", name="Cookie settings").click()
    banner.get_by_label("Marketing").check()
    banner.get_by_role("button", name="Save my choices").click()
    expect(banner).to_be_hidden()
    assert last_update(page) == state(ALL)
    assert ConsentRecord.objects.order_by("-seq").first().gpc_overridden == ["marketing"]
    expect(page.locator('#cookie-banner [data-gpc-overridden="marketing"]')).to_be_attached()
    context.close()


def test_gpc_read_by_the_script_alone_is_recorded_once(browser, live_server):
    context = browser.new_context()  # no header: an extension that sets only the property
    context.add_init_script(GPC_SCRIPT)
    page = context.new_page()
    page.goto(live_server.url + "/")
    banner = banner_of(page)
    expect(banner.locator("[data-gpc-summary]")).to_be_visible()
    expect(banner).to_be_visible()  # the rest is still to be asked
    record = ConsentRecord.objects.get()
    assert (record.method, record.gpc, record.choices["marketing"]) == ("gpc", True, False)
    assert last_update(page) == state(NONE)
    page.reload()
    expect(banner.locator("[data-gpc-summary]")).to_be_visible()
    page.wait_for_timeout(300)
    assert ConsentRecord.objects.count() == 1
    context.close()


def test_the_embed_sends_consent_mode_and_honours_gpc(browser, live_server, property_site, settings):  # noqa: F811
    settings.CORS_ALLOWED_ORIGINS = [property_site]
    context = browser.new_context()
    context.add_init_script(GPC_SCRIPT)
    page = context.new_page()
    page.goto(property_site + "/")
    banner = page.get_by_role("region", name="Cookie choices")
    expect(banner).to_be_visible()
    expect(banner.locator('[data-gpc-honoured="marketing"]')).to_be_visible()
    assert consent_commands(page)[0] == ["default", {**{t: "denied" for t in TYPES}, "wait_for_update": 500}]
    record = ConsentRecord.objects.get()
    assert (record.method, record.gpc, record.origin) == ("gpc", True, property_site)
    banner.get_by_role("button", name="Accept all").click()
    expect(banner).to_have_count(0)
    advertising = {"ad_storage", "ad_user_data", "ad_personalization"}
    assert last_update(page) == state(set(TYPES) - advertising)
    page.reload()
    page.wait_for_function("() => (window.dataLayer || []).length >= 2")
    assert last_update(page) == state(set(TYPES) - advertising)
    assert ConsentRecord.objects.count() == 2
    context.close()


def test_the_embed_speaks_the_pages_language(page, live_server, settings):
    from .test_consent_browser import _serve

    server, url = _serve(
        '<!doctype html><html lang="sv"><head><title>iCentrex-bloggen</title></head><body><h1>Bloggen</h1>'
        f'<script src="{live_server.url}/static/js/embed.js" defer></script></body></html>'
    )
    settings.CORS_ALLOWED_ORIGINS = [url]
    try:
        page.goto(url + "/")
        banner = page.locator("#icx-consent-banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Statistik")
        expect(banner).not_to_contain_text("Analytics,")
        expect(banner.get_by_role("button").first).not_to_have_text("Accept all")
    finally:
        server.shutdown()


def test_the_do_not_sell_link_appears_when_required_and_opts_out_without_an_account(
    page, live_server, screenshot
):
    from cookies.models import Cookie, CookieCategory
    from cookies.services import declaration_publish

    from .axe import serious_violations

    page.goto(live_server.url + "/")
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="Do Not Sell or Share My Personal Information")).to_have_count(0)
    Cookie.objects.create(
        category=CookieCategory.objects.get(key="marketing"),
        name="_fbp",
        provider="Meta (Facebook)",
        first_party=False,
        domain="facebook.com",
        lifetime_days=90,
        purpose="Measures ad campaigns.",
        translations={"sv": {"purpose": "Mäter annonskampanjer."}},
    )
    declaration_publish(actor=None)
    page.goto(live_server.url + "/")
    page.get_by_role("contentinfo").get_by_role(
        "link", name="Do Not Sell or Share My Personal Information"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Do Not Sell or Share My Personal Information")
    expect(page.get_by_text("Who would otherwise receive it: Meta (Facebook).")).to_be_visible()
    page.get_by_role("button", name="Opt out of sale and sharing").click()
    expect(page.get_by_text("You have opted out on this device.")).to_be_visible()
    assert ConsentRecord.objects.get().method == "opt_out_link"
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "do-not-sell-phone")
    assert serious_violations(page) == []
