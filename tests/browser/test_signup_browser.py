import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-Unusual-passphrase-42"


def test_sign_up_confirm_sign_in_sign_out_in_chromium(page, live_server, screenshot, account_mail):
    page.goto(live_server.url + "/")
    screenshot(page, "home")
    page.get_by_role("link", name="Create account").first.click()

    page.get_by_label("Your name").fill("Eva Ek")
    page.get_by_label("Email").fill("eva@example.org")
    page.get_by_label("Date of birth").fill("1990-05-01")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    screenshot(page, "signup")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")
    screenshot(page, "verification-sent")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    screenshot(page, "confirm-email")
    page.get_by_role("button", name="Confirm").click()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("eva@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "login")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello, Eva Ek")
    screenshot(page, "privacy-centre")

    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sessionid"]["expires"] == -1  # a browser-session cookie
    assert cookies["sessionid"]["httpOnly"]

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()
    assert User.objects.get().email == "eva@example.org"


def test_under_13_sees_a_refusal_page(page, live_server, screenshot):
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Your name").fill("Kim")
    page.get_by_label("Email").fill("kim@example.org")
    page.get_by_label("Date of birth").fill("2020-01-01")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't create your account")
    screenshot(page, "age-refused")
    assert User.objects.count() == 0


def test_tokens_are_created_and_revoked_with_htmx(page, live_server, screenshot):
    from tests.factories import PASSWORD as FACTORY_PASSWORD
    from tests.factories import UserFactory

    UserFactory(email="tess@example.org", name="Tess")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("tess@example.org")
    page.get_by_label("Password").fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + "/privacy/security/")

    url_before = page.url
    page.get_by_label("Token name").fill("laptop script")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("New token")
    expect(token).to_have_value(re.compile(r"^icx_"))
    assert page.url == url_before  # swapped in place, no navigation
    screenshot(page, "security-token-created")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke laptop script").click()
    expect(page.get_by_text("revoked", exact=True)).to_be_visible()
