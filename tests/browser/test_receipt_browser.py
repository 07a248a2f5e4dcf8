"""The consent receipt page checks its own proof in the browser (WebCrypto:
SHA-256 and Ed25519), says so, and says when a receipt does not verify."""

import pytest
from playwright.sync_api import expect

from audit.streams import logged_streams
from audit.transparency import log_integrate_all
from consent.services import consent_record
from cookies.selectors import current_revision
from subjects.services import subject_key_for_user
from tests.browser.axe import serious_violations
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIGNALS = {
    "gpc": None,
    "dnt": None,
    "ip_prefix": "",
    "ua_family": "",
    "ua_version": "",
    "origin": "Ström & Co",
}


def _signed_in_receipt(page, live_server):
    user = UserFactory(email="ann@example.org")
    for i in range(6):
        record = consent_record(
            subject_key=subject_key_for_user(user=user if i == 3 else UserFactory()),
            subject_type="account",
            method="banner_accept_all",
            revision_hash=current_revision().content_hash,
            signals=SIGNALS,
        )
        mine = record if i == 3 else locals().get("mine")
    for stream in logged_streams():
        log_integrate_all(stream.name, stream.log)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("ann@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"{live_server.url}/privacy/cookies/receipts/{mine.record_id}/")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_receipt_verifies_in_the_browser(page, live_server, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    _signed_in_receipt(page, live_server)
    page.get_by_role("button", name="Verify in this browser").click()
    result = page.locator("#receipt-verify-result")
    expect(result).to_contain_text("Verified in your browser:")
    expect(result).to_contain_text("entry 3 of 6")
    screenshot(page, f"receipt-verified-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []


def test_a_changed_receipt_does_not_verify(page, live_server):
    _signed_in_receipt(page, live_server)
    page.evaluate(
        """() => { const data = document.getElementById('receipt-data');
                   const receipt = JSON.parse(data.textContent);
                   receipt.choices.marketing = !receipt.choices.marketing;
                   data.textContent = JSON.stringify(receipt); }"""
    )
    page.get_by_role("button", name="Verify in this browser").click()
    expect(page.locator("#receipt-verify-result")).to_contain_text("does not verify")
