import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_swedish_comes_from_the_browser(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="sv-SE,sv;q=0.9")
    assert response["Content-Language"] == "sv"
    assert "Skapa konto" in response.content.decode()


@pytest.mark.django_db
def test_the_users_setting_wins_over_the_browser(client, alice, password):
    alice.language = "sv"
    alice.save()
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    response = client.get(reverse("privacy_centre"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "sv"
    assert "Integritetscenter" in response.content.decode()


@pytest.mark.django_db
def test_switching_language_saves_it_for_a_signed_in_person(client, alice, password):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    response = client.post(reverse("language_switch"), {"language": "sv", "next": "/privacy/"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "sv"


def test_every_swedish_message_is_translated():
    from pathlib import Path

    po = (Path(__file__).resolve().parents[2] / "locale/sv/LC_MESSAGES/django.po").read_text()
    entries = po.split("\n\n")[1:]  # the first entry is the header
    untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""') and not e.startswith("#~")]
    assert "#, fuzzy" not in po
    assert untranslated == []
