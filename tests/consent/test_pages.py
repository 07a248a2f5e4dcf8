import pytest
from django.test import Client
from django.urls import reverse

from consent.cookie import COOKIE_NAME
from consent.models import ConsentRecord
from cookies.models import Cookie, CookieCategory, DeclarationRevision
from cookies.selectors import current_revision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def banner_tag(client) -> str:
    """The banner's opening tag on the home page."""
    html = client.get("/").content.decode()
    return html[html.index('<section id="cookie-banner"') :].split(">", 1)[0]


def test_banner_until_a_choice_then_not(client):
    assert "hidden" not in banner_tag(client)
    response = client.post(
        reverse("cookie_choices"),
        {"method": "banner_reject_all", "revision": current_revision().content_hash, "next": "/"},
    )
    assert response.status_code == 302 and COOKIE_NAME in response.cookies
    assert "hidden" in banner_tag(client)
    assert ConsentRecord.objects.get().method == "banner_reject_all"


def test_no_js_custom_choices_and_a_bad_method(client):
    revision = current_revision().content_hash
    client.post(
        reverse("cookie_choices"), {"method": "banner_custom", "revision": revision, "analytics": "on"}
    )
    assert ConsentRecord.objects.get().choices == {
        "necessary": True,
        "preferences": False,
        "analytics": True,
        "marketing": False,
    }
    response = client.post(
        reverse("cookie_choices"), {"method": "sell_everything", "revision": revision}, follow=True
    )
    assert "Choose accept all" in response.content.decode() and ConsentRecord.objects.count() == 1


def test_cookie_policy_lists_the_declaration_with_lifetimes(client):
    html = client.get(reverse("policy", args=["cookies"])).content.decode()
    for text in [
        "Strictly necessary",
        "Analytics",
        "<code>_ga</code>",
        "2 years",
        "until you close the browser",
        "third party",
        "tied to your account",
        "No cookies in this category at present.",
    ]:
        assert text in html, text


def test_privacy_centre_cookies_page_and_receipts(client, alice, password):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    client.post(
        reverse("cookie_choices"),
        {
            "method": "privacy_centre",
            "revision": current_revision().content_hash,
            "analytics": "on",
            "next": reverse("privacy_cookies"),
        },
    )
    record = ConsentRecord.objects.get()
    assert record.subject_type == "account" and record.method == "privacy_centre"
    page = client.get(reverse("privacy_cookies")).content.decode()
    assert "Privacy centre" in page and str(record.record_id) in page
    # Each record's receipt downloads from the list itself, not only from its own page.
    receipt_url = reverse("consent_receipt", args=[record.record_id])
    assert f'<a href="{receipt_url}?format=json" download>' in page
    receipt = client.get(reverse("consent_receipt", args=[record.record_id]))
    assert record.record_hash in receipt.content.decode()
    download = client.get(reverse("consent_receipt", args=[record.record_id]), {"format": "json"})
    assert (
        download["Content-Disposition"].startswith("attachment")
        and download.json()["record_hash"] == record.record_hash
    )
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(reverse("consent_receipt", args=[record.record_id])).status_code == 404


def test_editing_the_declaration_in_the_admin_publishes_a_revision(client):
    from accounts.models import User

    officer = User.objects.create_superuser("po@icentrex.example", "x-long-Password-1")
    client.force_login(officer)
    before = DeclarationRevision.objects.count()
    analytics = CookieCategory.objects.get(key="analytics")
    response = client.post(
        reverse("admin:cookies_cookie_add"),
        {
            "category": analytics.pk,
            "name": "_gid",
            "provider": "Google",
            "first_party": "",
            "domain": "icentrex.example",
            "lifetime_days": "1",
            "purpose": "Counts today's visits.",
            "translations": "{}",
        },
    )
    # Every text in every language the site speaks: without the Swedish purpose, nothing is saved.
    assert response.status_code == 200 and b"missing: sv: purpose" in response.content
    assert DeclarationRevision.objects.count() == before
    response = client.post(
        reverse("admin:cookies_cookie_add"),
        {
            "category": analytics.pk,
            "name": "_gid",
            "provider": "Google",
            "first_party": "",
            "domain": "icentrex.example",
            "lifetime_days": "1",
            "purpose": "Counts today's visits.",
            "translations": '{"sv": {"purpose": "Räknar dagens besök."}}',
        },
    )
    assert response.status_code == 302, response.content[:300]
    assert Cookie.objects.filter(name="_gid").exists()
    assert DeclarationRevision.objects.count() == before + 1
    assert any(
        c["name"] == "_gid" for cat in current_revision().content["categories"] for c in cat["cookies"]
    )
