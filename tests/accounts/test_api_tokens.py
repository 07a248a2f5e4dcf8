from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import PersonalAccessToken
from accounts.services import api_token_create, api_token_revoke
from audit.events import EventType
from audit.models import AuditEvent
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


def bearer(client, token):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_token_is_shown_once_and_stored_hashed(alice, client, password):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    response = client.post(
        reverse("api-tokens"), {"name": "backup", "expires_in_days": 30}, content_type="application/json"
    )
    assert response.status_code == 201
    clear = response.json()["token"]
    assert clear.startswith("icx_")

    stored = PersonalAccessToken.objects.get()
    assert clear not in {stored.token_hash, stored.hint, stored.name}
    assert stored.token_hash == PersonalAccessToken.hash_token(clear)
    assert len(stored.token_hash) == 64

    listing = client.get(reverse("api-tokens")).json()
    assert listing["count"] == 1
    assert "token" not in listing["results"][0]
    assert clear not in str(listing)


def test_token_authenticates_and_revoked_token_is_refused(api_client, alice):
    token, clear = api_token_create(actor=alice, name="ci")
    assert bearer(api_client, clear).get(reverse("api-me")).json()["email"] == alice.email

    api_token_revoke(actor=alice, token=token)
    body = assert_error(api_client.get(reverse("api-me")), 401, "authentication_failed")
    assert "revoked" in body["detail"]


def test_revoking_through_the_api(alice_api, alice):
    token = PersonalAccessToken.objects.get(user=alice)
    response = alice_api.delete(reverse("api-token-detail", args=[token.id]))
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    # The token just revoked was the one in use.
    assert_error(alice_api.get(reverse("api-me")), 401)
    assert AuditEvent.objects.filter(event_type=EventType.API_TOKEN_REVOKED).count() == 1


def test_expired_token_is_refused(api_client, alice):
    token, clear = api_token_create(actor=alice, name="old", expires_at=timezone.now() + timedelta(days=1))
    PersonalAccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(bearer(api_client, clear).get(reverse("api-me")), 401)


def test_someone_elses_token_is_not_found(alice_api, bob):
    bobs, _clear = api_token_create(actor=bob, name="bob's")
    assert_error(alice_api.get(reverse("api-token-detail", args=[bobs.id])), 404, "not_found")
    assert_error(alice_api.delete(reverse("api-token-detail", args=[bobs.id])), 404, "not_found")
    bobs.refresh_from_db()
    assert bobs.revoked_at is None


def test_garbage_tokens_are_refused(api_client, alice):
    for header in ["Bearer", "Bearer a b", "Bearer icx_nope", "Bearer \u00e9\u00e9"]:
        api_client.credentials(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))
        assert_error(api_client.get(reverse("api-me")), 401)


def test_token_use_is_recorded_at_most_once_a_minute(api_client, alice):
    token, clear = api_token_create(actor=alice, name="ci")
    bearer(api_client, clear).get(reverse("api-me"))
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    api_client.get(reverse("api-me"))
    token.refresh_from_db()
    assert token.last_used_at == first_use


def test_privacy_centre_creates_and_revokes_tokens_without_javascript(client, alice, password):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    response = client.post(reverse("privacy_token_create"), {"name": "laptop", "expires_in_days": "90"})
    assert response.status_code == 200
    token = PersonalAccessToken.objects.get(user=alice)
    html = response.content.decode()
    assert "will not be shown again" in html
    assert f"icx_{token.hint}" in html

    response = client.post(reverse("privacy_token_revoke", args=[token.id]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_privacy_centre_token_form_with_htmx_returns_the_panel(client, alice, password):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    response = client.post(
        reverse("privacy_token_create"), {"name": "", "expires_in_days": "90"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="tokens"')
    assert "This field is required" in html
    assert PersonalAccessToken.objects.count() == 0
