"""allauth's pages (sign-in, sign-up, re-authentication, two-factor, email,
password) use the house layout, and re-authentication says what it is for."""

import re
from html import unescape

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

pytestmark = pytest.mark.django_db

ALLAUTH_DEFAULT_MARKERS = ["<strong>Menu:</strong>", "Please reauthenticate to safeguard your account."]


def house_page(html: str) -> None:
    assert 'class="site-header"' in html and '<main id="main"' in html and 'class="site-footer"' in html
    assert "/static/css/app.css" in html
    for marker in ALLAUTH_DEFAULT_MARKERS:
        assert marker not in html


def test_deleting_an_account_asks_to_confirm_it_is_you_in_house_style(client, alice, password):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    response = client.post(reverse("privacy_delete_confirm"), {"understood": "yes"}, follow=True)
    html = unescape(response.content.decode())
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    house_page(html)
    assert "Confirm it's you before deleting your account" in html
    assert '<label for="id_password">' in html
    assert 'class="button">Confirm with my password</button>' in html
    assert f'href="{reverse("privacy_data")}">Keep my account</a>' in html


def test_re_authentication_for_something_else_says_so(client, alice):
    client.force_login(alice)
    html = unescape(
        client.get(reverse("account_reauthenticate"), {"next": "/accounts/2fa/"}).content.decode()
    )
    house_page(html)
    assert "Confirm it's you before changing two-factor sign-in" in html
    html = unescape(client.get(reverse("account_reauthenticate")).content.decode())
    assert "<h1>Confirm it's you</h1>" in html


def test_with_two_factor_the_code_page_is_in_house_style_too(client, alice):
    TOTP.activate(alice, generate_totp_secret())
    client.force_login(alice)
    response = client.get(reverse("mfa_reauthenticate"), {"next": reverse("privacy_delete_confirm")})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    house_page(html)
    assert "Confirm it's you before deleting your account" in html and "Confirm with my code" in html
    # The other way (the password) is offered as a link.
    assert reverse("account_reauthenticate") in html


def test_the_two_factor_step_of_signing_in_is_in_house_style(client, alice, password):
    TOTP.activate(alice, generate_totp_secret())
    credentials = {"login": alice.email, "password": password}
    response = client.post(reverse("account_login"), credentials, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    house_page(response.content.decode())
    assert re.search(r'<button[^>]*class="button"[^>]*>', response.content.decode())


@pytest.mark.parametrize(
    ("name", "signed_in"),
    [
        ("account_login", False),
        ("account_signup", False),
        ("account_reset_password", False),
        ("account_email", True),
        ("account_change_password", True),
        ("mfa_index", True),
    ],
)
def test_allauth_pages_people_meet_use_the_house_layout(client, alice, name, signed_in):
    if signed_in:
        client.force_login(alice)
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    house_page(html)
    # Every button is a house button, also those allauth renders itself.
    main = html[html.index('<main id="main"') : html.index("</main>")]
    for tag in re.findall(r"<button\b[^>]*>", main):
        assert re.search(r'class="[^"]*\bbutton\b', tag), tag


def test_allauth_buttons_and_panels_are_house_elements(client, alice):
    client.force_login(alice)
    html = client.get(reverse("mfa_index")).content.decode()
    assert f'<a href="{reverse("mfa_activate_totp")}"\n class="button button-secondary"' in html
    assert '<section class="card">' in html
