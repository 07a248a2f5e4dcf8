"""One cookie policy page, and a banner that says only what the declaration holds."""

import pytest
from django.urls import reverse

from cookies.models import Cookie, CookieCategory
from cookies.selectors import current_revision
from cookies.services import declaration_publish

pytestmark = pytest.mark.django_db


def banner_text(client, path="/") -> str:
    """What the banner says, above its buttons (the categories' own descriptions follow them)."""
    html = client.get(path).content.decode()
    start = html.index('<section id="cookie-banner"')
    return html[start : html.index("<form", start)]


def test_the_cookie_policy_is_one_page_and_the_old_address_redirects_permanently(client):
    response = client.get("/cookies/")
    assert response.status_code == 301 and response["Location"] == reverse("policy", args=["cookies"])
    html = client.get(response["Location"]).content.decode()
    # The versioned policy text and, under it, the declaration of every cookie.
    assert "Version 1" in html and "We do not act on the browser" in html
    assert 'id="cookie-declaration"' in html and "<code>_ga</code>" in html
    assert current_revision().content_hash[:12] in html
    # Every link to the cookie policy goes straight to that page.
    home = client.get("/").content.decode()
    assert 'href="/cookies/"' not in home and f'href="{reverse("policy", args=["cookies"])}"' in home
    assert 'href="/cookies/"' not in client.get(reverse("cookie_settings")).content.decode()


def test_an_older_version_of_the_cookie_policy_does_not_show_todays_declaration(client):
    html = client.get(reverse("policy_version", args=["cookies", 1])).content.decode()
    assert 'id="cookie-declaration"' in html  # version 1 is the one in force
    assert 'id="cookie-declaration"' not in client.get(reverse("policy", args=["privacy"])).content.decode()


def test_the_banner_names_only_categories_and_providers_the_declaration_has(client):
    text = banner_text(client)
    # The seeded declaration: analytics cookies from Google; preferences and marketing hold none.
    assert "Analytics, set by Google (Google Analytics)" in text
    assert "for preferences" not in text.lower() and "Preferences, set by" not in text
    assert "Marketing, set by" not in text


def test_the_banner_follows_a_new_declaration(client):
    preferences = CookieCategory.objects.get(key="preferences")
    Cookie.objects.create(
        category=preferences,
        name="icx_theme",
        provider="iCentrex",
        first_party=True,
        domain="privacy.icentrex.example",
        lifetime_days=365,
        purpose="Remembers light or dark theme.",
    )
    Cookie.objects.filter(category__key="analytics").delete()
    declaration_publish(actor=None)
    text = banner_text(client)
    assert "Preferences, set by iCentrex" in text
    assert "Google" not in text and "Analytics" not in text


def test_with_no_optional_cookie_the_banner_asks_for_nothing(client):
    Cookie.objects.filter(category__is_necessary=False).delete()
    declaration_publish(actor=None)
    text = banner_text(client)
    assert "With your permission" not in text and "strictly necessary" in text
