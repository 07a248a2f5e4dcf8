"""The pages for input we cannot take (400 undecodable, 413 too large) look right."""

import pytest
from playwright.sync_api import expect

from support.models import PrivacyQuestion
from tests.conftest import ARTIFACTS

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shots(page, name):
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


def test_an_undecodable_query_gets_a_clear_400_page(page, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    response = page.goto(live_server.url + "/?q=%ff")
    assert response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("Bad request")
    expect(page.get_by_text("could not be read as text")).to_be_visible()
    assert serious_violations(page) == []
    _shots(page, "error-400-undecodable")


def test_a_form_too_large_gets_a_clear_413_page_and_nothing_is_stored(page, live_server, settings):
    ARTIFACTS.mkdir(exist_ok=True)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    page.goto(live_server.url + "/support/privacy-question/")
    page.get_by_label("Your email address").fill("pat@example.net")
    page.get_by_label("Subject").fill("Long")
    page.get_by_label("Your question").fill("x" * 3000)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send").click()
    assert navigation.value.status == 413
    expect(page.get_by_role("heading", level=1)).to_have_text("Too much to send")
    assert serious_violations(page) == []
    assert not PrivacyQuestion.objects.exists()
    _shots(page, "error-413")
