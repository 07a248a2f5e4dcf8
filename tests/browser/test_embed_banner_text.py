"""The embeddable banner says only what the declaration holds, like the site's own."""

import pytest
from playwright.sync_api import expect

from cookies.models import Cookie
from cookies.services import declaration_publish

from .test_consent_browser import property_site  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_embedded_banner_says_what_the_declaration_holds(page, live_server, property_site, settings):  # noqa: F811
    settings.CORS_ALLOWED_ORIGINS = [property_site]
    page.goto(property_site + "/")
    banner = page.get_by_role("region", name="Cookie choices")
    expect(banner).to_contain_text("Analytics, set by Google (Google Analytics)")
    expect(banner).not_to_contain_text("preferences and analytics")

    Cookie.objects.filter(category__is_necessary=False).delete()
    declaration_publish(actor=None)
    # A fresh visitor (the declaration may be cached for a minute by a browser that saw it).
    fresh = page.context.browser.new_context().new_page()
    fresh.goto(property_site + "/")
    banner = fresh.get_by_role("region", name="Cookie choices")
    expect(banner).to_contain_text("strictly necessary cookies")
    expect(banner).not_to_contain_text("With your permission")
    fresh.context.close()
