"""The declaration in every language the site speaks: each category's name and
description and each cookie's and host's purpose exist in English and Swedish,
a revision's hash covers every translation, and the banner, the cookie policy,
receipts and the API answer in the person's language."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cookies.declaration import declaration_content, localized
from cookies.models import Cookie, CookieCategory, DeclarationRevision, DeclaredHost
from cookies.selectors import current_revision
from cookies.services import declaration_publish
from tests.conftest import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_text_of_the_declaration_has_its_swedish():
    content = current_revision().content
    for category in content["categories"]:
        assert category["translations"]["sv"]["name"] and category["translations"]["sv"]["description"]
        for item in category["cookies"] + category["hosts"]:
            assert item["translations"]["sv"]["purpose"], item
    for model in (CookieCategory, Cookie, DeclaredHost):
        for instance in model.objects.all():
            instance.full_clean()  # the rule the admin and every form apply


def test_a_text_without_its_swedish_is_refused():
    cookie = Cookie.objects.get(name="csrftoken")
    cookie.translations = {}
    with pytest.raises(ValidationError, match="sv: purpose"):
        cookie.full_clean()
    category = CookieCategory.objects.get(key="analytics")
    category.translations = {"sv": {"name": "Statistik", "description": " "}}
    with pytest.raises(ValidationError, match="sv: description"):
        category.full_clean()


def test_the_revision_hash_covers_every_translation():
    before = current_revision()
    cookie = Cookie.objects.get(name="csrftoken")
    cookie.translations = {"sv": {"purpose": "Skyddar formulär mot förfalskade inskick."}}
    cookie.save()
    revision = declaration_publish(actor=None)
    assert revision.content_hash != before.content_hash
    assert DeclarationRevision.objects.filter(content_hash=before.content_hash).exists()
    assert revision.content == declaration_content(CookieCategory)


def test_localized_content_falls_back_to_english():
    content = current_revision().content
    swedish = localized(content, "sv-SE")
    assert [c["name"] for c in swedish["categories"]] == [
        "Nödvändiga",
        "Inställningar",
        "Statistik",
        "Marknadsföring",
    ]
    assert localized(content, "de")["categories"][0]["name"] == "Strictly necessary"


def test_the_banner_and_the_cookie_policy_speak_swedish():
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    page = client.get("/").content.decode()
    assert '<label for="cookie-analytics">Statistik</label>' in page
    assert '<label for="cookie-marketing">Marknadsföring</label>' in page and ">Analytics<" not in page
    policy = client.get("/policies/cookies/").content.decode()
    assert "Skyddar formulär mot att skickas in av andra webbplatser." in policy
    assert "Statistik" in policy and "Protects forms" not in policy


def test_the_api_answers_in_the_asked_language():
    client = Client()
    english = client.get("/api/v1/cookies/declaration")
    swedish = client.get("/api/v1/cookies/declaration?lang=sv")
    by_header = client.get("/api/v1/cookies/declaration", HTTP_ACCEPT_LANGUAGE="sv-SE,sv;q=0.9")
    assert english["Content-Language"] == "en" and swedish["Content-Language"] == "sv"
    assert swedish["ETag"] != english["ETag"] and "Accept-Language" in swedish["Vary"]
    assert swedish.json()["categories"][2]["name"] == "Statistik" == by_header.json()["categories"][2]["name"]
    assert swedish.json()["banner"]["accept_all"] != english.json()["banner"]["accept_all"]
    assert swedish.json()["revision"] == english.json()["revision"]  # one revision, every language
    unknown = client.get("/api/v1/cookies/declaration?lang=de")
    assert unknown["Content-Language"] == "en"
    assert_error(client.get("/api/v1/cookies/declaration?lang=%3Cscript%3E"), 400, "invalid_language")


def test_a_receipt_speaks_the_language_the_decision_was_made_in():
    person = UserFactory()
    client = Client()
    client.force_login(person)
    body = {"method": "banner_accept_all", "revision": current_revision().content_hash, "language": "sv"}
    record_id = client.post("/api/v1/consent", json.dumps(body), content_type="application/json").json()[
        "record_id"
    ]
    receipt = client.get(f"/api/v1/consent/receipts/{record_id}/kantara").json()["receipt"]
    names = [p["purposeCategory"][0] for p in receipt["services"][0]["purposes"]]
    assert names == ["Nödvändiga", "Inställningar", "Statistik", "Marknadsföring"]
    assert receipt["language"] == "sv"
