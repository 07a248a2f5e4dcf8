"""Form data and query strings: undecodable input is refused with a 400 and
nothing is written; oversized bodies get a 413, on pages and the API alike."""

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from consent.models import ConsentRecord
from support.models import MinorReport, PrivacyQuestion
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def written() -> tuple:
    return (
        User.objects.count(),
        MinorReport.objects.count(),
        PrivacyQuestion.objects.count(),
        AuditEvent.objects.count(),
        ConsentRecord.objects.count(),
    )


# Every public form, each with one field carrying bytes that are not UTF-8.
PUBLIC_FORMS = [
    (
        "privacy_question",
        b"name=Pat&email=pat%40example.net&subject=Hello&message=%ff%fe",
    ),
    (
        "minor_report",
        b"reporter_email=parent%40example.net&reported_email=kid%40example.org&description=%ff%fe",
    ),
    (
        "account_signup",
        b"name=%ff%fe&email=eva%40example.org&date_of_birth=1990-05-01"
        b"&password1=a-long-Unusual-passphrase-42&password2=a-long-Unusual-passphrase-42",
    ),
    ("account_login", b"login=alice%40example.org&password=%ff%fe"),
    ("account_reset_password", b"email=alice%40example.org%ff"),
    ("language_switch", b"language=sv%c3&next=/"),
    ("cookie_choices", b"preferences=on&analytics=%ff&next=/"),
]


@pytest.mark.parametrize(("url_name", "body"), PUBLIC_FORMS, ids=[f[0] for f in PUBLIC_FORMS])
def test_every_public_form_refuses_undecodable_input_and_writes_nothing(
    client, url_name, body, django_capture_on_commit_callbacks
):
    before = written()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse(url_name), body, content_type=FORM)
    assert response.status_code == 400
    assert "could not be read as text" in response.content.decode()
    assert written() == before and callbacks == []


def test_the_privacy_question_no_longer_stores_mangled_text(client, django_capture_on_commit_callbacks):
    # The reported case: "message=%ff%fe" was stored as two replacement characters.
    body = b"name=Pat&email=pat%40example.net&subject=Hello&message=%ff%fe"
    with django_capture_on_commit_callbacks():
        assert client.post(reverse("privacy_question"), body, content_type=FORM).status_code == 400
    assert not PrivacyQuestion.objects.exists()


def test_raw_bytes_that_are_not_utf8_are_refused_too(client, django_capture_on_commit_callbacks):
    # Not percent-encoded: Django would fall back to Latin-1 and store "Ã©"-style text.
    body = "name=Pat&email=pat%40example.net&subject=Hej&message=h\xe9j".encode("latin-1")
    with django_capture_on_commit_callbacks():
        assert client.post(reverse("privacy_question"), body, content_type=FORM).status_code == 400
    assert not PrivacyQuestion.objects.exists()


def test_multipart_forms_are_checked_the_same_way(client, django_capture_on_commit_callbacks):
    boundary = "XyZ"
    fields = {"name": b"Pat", "email": b"pat@example.net", "subject": b"Hello", "message": b"\xff\xfe"}
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
            for name, value in fields.items()
        )
        + f"--{boundary}--\r\n".encode()
    )
    with django_capture_on_commit_callbacks():
        response = client.post(
            reverse("privacy_question"), body, content_type=f"multipart/form-data; boundary={boundary}"
        )
    assert response.status_code == 400
    assert not PrivacyQuestion.objects.exists()


def test_valid_text_with_non_ascii_letters_and_a_real_replacement_character_is_kept(
    client, django_capture_on_commit_callbacks
):
    message = "Var lagras mina uppgifter? Åsa Öberg skrev \ufffd här."
    data = {"name": "Åsa", "email": "asa@example.net", "subject": "Fråga", "message": message}
    with django_capture_on_commit_callbacks():
        response = client.post(reverse("privacy_question"), data)
    assert response.status_code == 302
    assert PrivacyQuestion.objects.get().message == message


def test_a_query_string_that_is_not_utf8_is_refused_on_pages(client):
    response = client.get(reverse("home") + "?q=%ff")
    assert response.status_code == 400
    assert "could not be read as text" in response.content.decode()
    assert client.get(reverse("home") + "?q=%C3%A5").status_code == 200  # "å" is fine


def test_a_query_string_that_is_not_utf8_is_refused_by_the_api(alice_api):
    assert_error(alice_api.get(reverse("api-me") + "?x=%ff"), 400, "invalid_encoding")


def test_undecodable_json_is_refused_by_the_api(alice_api, alice):
    before = written()
    response = alice_api.generic("PATCH", reverse("api-me"), b'{"name": "\xff\xfe"}', "application/json")
    assert_error(response, 400)
    alice.refresh_from_db()
    assert alice.name == "Alice Andersson" and written() == before


# --- Oversized bodies: 413 ---------------------------------------------------------


def test_an_oversized_form_gets_413_and_writes_nothing(client, settings, django_capture_on_commit_callbacks):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    data = {"name": "Pat", "email": "pat@example.net", "subject": "Hi", "message": "x" * 2000}
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("privacy_question"), data)
    assert response.status_code == 413
    assert "larger than we accept" in response.content.decode()
    assert not PrivacyQuestion.objects.exists() and callbacks == []


def test_too_many_fields_gets_413(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=x" for i in range(50)).encode()
    response = client.post(reverse("privacy_question"), body, content_type=FORM)
    assert response.status_code == 413
    assert not PrivacyQuestion.objects.exists()


def test_the_api_answers_413_in_its_error_shape_for_form_bodies_too(alice_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = alice_api.generic("PATCH", reverse("api-me"), b"name=" + b"x" * 2000, FORM)
    assert_error(response, 413, "payload_too_large")
