"""Withdrawing consent to analytics takes at most two clicks from any page, with
JavaScript (the footer's "Cookie settings" reopens the banner) and without it
(the same link opens the settings page): "Cookie settings", then the category's
own "Withdraw consent". Each saved choice is confirmed on the page."""

import pytest
from playwright.sync_api import expect

from consent.models import ConsentRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/cookies/", "/policies/privacy/", "/support/privacy-question/", "/accounts/login/"]


class Clicks:
    """Counts the clicks a person makes (every click goes through ``click``)."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()


def _grant_everything(page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_role("region", name="Cookies on iCentrex").get_by_role("button", name="Accept all").click()
    expect(page.get_by_role("region", name="Cookies on iCentrex")).to_be_hidden()
    record = ConsentRecord.objects.get()
    assert record.choices["analytics"] is True and record.choices["preferences"] is True


def _assert_withdrawn():
    records = list(ConsentRecord.objects.order_by("seq"))
    assert [r.action for r in records] == ["grant", "withdraw"]
    # Only analytics went: the other choices stay as they were.
    assert records[-1].choices == {**records[0].choices, "analytics": False}


@pytest.mark.parametrize("path", PAGES)
def test_withdraw_analytics_in_two_clicks_with_javascript(page, live_server, path, screenshot):
    _grant_everything(page, live_server)
    page.goto(live_server.url + path)  # a fresh load of the page
    banner = page.get_by_role("region", name="Cookies on iCentrex")
    expect(banner).to_be_hidden()
    clicks = Clicks()
    clicks.click(page.get_by_role("contentinfo").get_by_role("link", name="Cookie settings"))
    expect(banner).to_be_visible()
    if path == "/":
        screenshot(page, "cookie-withdraw-banner")
    clicks.click(banner.get_by_role("button", name="Withdraw consent to Analytics"))
    status = page.locator("#consent-saved")
    expect(status).to_have_text("You withdrew your consent to Analytics. Your cookie choices were saved.")
    expect(banner).to_be_hidden()
    assert clicks.count <= 2
    _assert_withdrawn()
    if path == "/":
        screenshot(page, "cookie-withdraw-confirmed")
    # Reopened, the banner no longer offers to withdraw what is already off.
    page.get_by_role("contentinfo").get_by_role("link", name="Cookie settings").click()
    expect(banner.get_by_role("button", name="Withdraw consent to Analytics")).to_be_hidden()
    expect(banner.get_by_role("button", name="Withdraw consent to Preferences")).to_be_visible()


@pytest.mark.parametrize("path", PAGES)
def test_withdraw_analytics_in_two_clicks_without_javascript(browser, live_server, path, screenshot):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        _grant_everything(page, live_server)
        expect(page.get_by_role("status")).to_contain_text("Your cookie choices were saved.")
        page.goto(live_server.url + path)
        clicks = Clicks()
        clicks.click(page.get_by_role("contentinfo").get_by_role("link", name="Cookie settings"))
        clicks.click(page.get_by_role("button", name="Withdraw consent to Analytics"))
        expect(page.get_by_role("status")).to_contain_text(
            "You withdrew your consent to Analytics. Your cookie choices were saved."
        )
        assert clicks.count <= 2
        _assert_withdrawn()
        if path == "/":
            screenshot(page, "cookie-withdraw-no-js")
    finally:
        context.close()


def test_saving_choices_in_the_banner_is_confirmed(page, live_server):
    page.goto(live_server.url + "/")
    banner = page.get_by_role("region", name="Cookies on iCentrex")
    banner.get_by_role("button", name="Reject all").click()
    expect(banner).to_be_hidden()
    expect(page.locator("#consent-saved")).to_have_text("Your cookie choices were saved.")
    expect(page.locator("#consent-saved")).to_be_focused()
