import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def sign_in(client, alice, password, **extra):
    return client.post(reverse("account_login"), {"login": alice.email, "password": password, **extra})


def test_without_keep_me_signed_in_the_cookie_ends_with_the_browser(client, alice, password):
    response = sign_in(client, alice, password)
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_keep_me_signed_in_sets_a_persistent_cookie(client, alice, password):
    response = sign_in(client, alice, password, remember="on")
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert cookie["expires"]


def test_sign_in_form_offers_keep_me_signed_in(client):
    response = client.get(reverse("account_login"))
    assert b'name="remember"' in response.content


def test_a_browser_without_cookies_gets_an_explanation(db, alice, password):
    cookieless = Client(enforce_csrf_checks=True)
    response = cookieless.post(reverse("account_login"), {"login": alice.email, "password": password})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Cookies are needed to sign in" in html
    assert "allow cookies for this site" in html


def test_sign_in_page_carries_the_cookie_check_script(client):
    html = client.get(reverse("account_login")).content.decode()
    assert 'id="cookies-needed"' in html
    assert "/static/js/cookie-check.js" in html


def test_repeated_failed_sign_ins_are_rate_limited(client, alice, password, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    for _ in range(3):
        response = client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"})
        assert b"Too many failed" not in response.content
    # Now even the right password is refused until the window passes.
    response = client.post(reverse("account_login"), {"login": alice.email, "password": password})
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content


def test_sign_in_posts_are_rate_limited_per_address(client, alice, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "3/m/ip"}
    statuses = [
        client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
