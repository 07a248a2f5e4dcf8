"""Bad input gets a clear 4xx in the one error shape, and writes nothing."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def nothing_written(alice):
    before = (AuditEvent.objects.count(), alice.name, alice.language)
    yield
    alice.refresh_from_db()
    assert (AuditEvent.objects.count(), alice.name, alice.language) == before


def patch_me(client, body: bytes, content_type="application/json"):
    return client.generic("PATCH", reverse("api-me"), body, content_type=content_type)


def test_malformed_json(alice_api, nothing_written):
    assert_error(patch_me(alice_api, b'{"name": "x",'), 400, "parse_error")


def test_json_that_is_not_an_object(alice_api, nothing_written):
    body = assert_error(patch_me(alice_api, b'["name"]'), 400, "invalid")
    assert body["fields"] == {"non_field_errors": ["Expected a JSON object."]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"name": {"first": "A"}}', "name"),
        (b'{"language": 5}', "language"),
        (b'{"language": "klingon"}', "language"),
        (b'{"name": "' + b"x" * 151 + b'"}', "name"),
    ],
)
def test_wrong_types_and_values(alice_api, nothing_written, body, field):
    errors = assert_error(patch_me(alice_api, body), 400, "invalid")
    assert field in errors["fields"]


def test_unknown_fields_are_refused_not_ignored(alice_api, nothing_written):
    errors = assert_error(patch_me(alice_api, b'{"name": "New", "is_staff": true}'), 400, "invalid")
    assert errors["fields"] == {"is_staff": ["Unknown field."]}


def test_read_only_fields_are_refused(alice_api, nothing_written):
    errors = assert_error(patch_me(alice_api, b'{"email": "evil@example.org"}'), 400, "invalid")
    assert "email" in errors["fields"]


def test_oversized_body(alice_api, nothing_written, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    assert_error(patch_me(alice_api, b'{"name": "' + b"x" * 2000 + b'"}'), 413, "payload_too_large")


def test_unsupported_media_type(alice_api, nothing_written):
    assert_error(
        patch_me(alice_api, b"name=x", "application/x-www-form-urlencoded"), 415, "unsupported_media_type"
    )


def test_missing_auth_is_a_401_with_a_challenge(api_client, nothing_written):
    response = api_client.patch(reverse("api-me"), {"name": "x"}, format="json")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_session_auth_needs_csrf(alice):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    before = AuditEvent.objects.count()
    response = browser.generic("PATCH", reverse("api-me"), b'{"name": "x"}', content_type="application/json")
    assert_error(response, 403, "permission_denied")
    alice.refresh_from_db()
    assert alice.name == "Alice Andersson" and AuditEvent.objects.count() == before


def test_unknown_api_path_and_wrong_method(alice_api):
    assert_error(alice_api.get("/api/v1/nope"), 404, "not_found")
    assert_error(alice_api.put(reverse("api-me"), {}, format="json"), 405, "method_not_allowed")


def test_a_valid_patch_changes_and_audits(alice_api, alice):
    response = alice_api.patch(reverse("api-me"), {"name": "Alice A.", "language": "sv"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Alice A."
    alice.refresh_from_db()
    assert (alice.name, alice.language) == ("Alice A.", "sv")
    assert AuditEvent.objects.filter(event_type="user.profile_changed").count() == 1


def test_authenticated_api_responses_are_not_stored(alice_api):
    response = alice_api.get(reverse("api-me"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_token_list_is_paginated(alice_api, alice):
    from accounts.services import api_token_create

    for n in range(30):
        api_token_create(actor=alice, name=f"t{n}")
    page = alice_api.get(reverse("api-tokens"), {"page_size": 10}).json()
    assert page["count"] == 31 and len(page["results"]) == 10 and page["next"]
    past_the_end = alice_api.get(reverse("api-tokens"), {"page": 99}).json()
    assert past_the_end["results"] == [] and past_the_end["count"] == 31


def test_token_create_validation(alice_api, alice):
    before = alice.api_tokens.count()
    for body in [
        {},
        {"name": "  "},
        {"name": "x", "expires_in_days": 0},
        {"name": "x", "expires_in_days": "soon"},
    ]:
        assert_error(alice_api.post(reverse("api-tokens"), body, format="json"), 400, "invalid")
    assert alice.api_tokens.count() == before
