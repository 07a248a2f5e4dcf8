"""The consent screen in Chromium: open the add flow, see exactly the fields,
untick one, confirm, see the installation, and the sharing event holds exactly
the fields left ticked."""

import pytest
from playwright.sync_api import expect

from integrations.models import Installation, SharingEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_consent_screen_untick_a_field_and_add(page, live_server, screenshot):
    UserFactory(email="ines@example.org", name="Ines Ek")
    sign_in(page, live_server, "ines@example.org")
    page.goto(live_server.url + "/privacy/integrations/")
    page.get_by_role("link", name="Add Calendar Sync").click()

    expect(page.get_by_role("heading", name="Add Calendar Sync")).to_be_visible()
    expect(page.get_by_text("Only you.")).to_be_visible()
    boxes = page.locator('input[name="share"]')
    assert boxes.evaluate_all("els => els.map(e => [e.value, e.checked])") == [
        ["identity.id", True],
        ["identity.name", True],
        ["identity.email", True],
    ]
    for label in ["An id for you, different for each integration", "Your name", "Your email address"]:
        expect(page.get_by_label(label)).to_be_checked()
    screenshot(page, "integration-consent-screen")

    page.get_by_label("Your email address").uncheck()
    page.get_by_role("button", name="Confirm and add Calendar Sync").click()

    expect(page.get_by_role("status")).to_contain_text("Calendar Sync is added")
    mine = page.locator("section", has=page.get_by_role("heading", name="Added by you"))
    expect(mine).to_contain_text("Calendar Sync")
    expect(mine).to_contain_text("Your name")
    expect(mine).not_to_contain_text("Your email address")
    screenshot(page, "integrations-after-add")

    installation = Installation.objects.get()
    assert installation.granted_fields == ["identity.id", "identity.name"]
    event = SharingEvent.objects.get()
    assert event.fields == ["identity.id", "identity.name"]
    assert event.installation_id == installation.public_id

    page.get_by_role("link", name="Who has my data").click()
    log = page.locator("table.sharing-log")
    expect(log).to_contain_text("Calendar Sync")
    expect(log).to_contain_text("Your name")
    expect(log).not_to_contain_text("Your email address")
    screenshot(page, "who-has-my-data-after-add")

    # Removing asks first, then stops sharing.
    page.goto(live_server.url + "/privacy/integrations/")
    page.get_by_role("link", name="Remove Calendar Sync").click()
    page.get_by_role("button", name="Remove Calendar Sync").click()
    expect(page.get_by_role("status")).to_contain_text("Calendar Sync was removed")
    installation.refresh_from_db()
    assert installation.status == "removed"
