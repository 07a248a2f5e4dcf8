"""The public forms: validation, honeypot, rate limit, what is stored and enqueued."""

import re

import pytest
from django.urls import reverse

from audit.events import EventType
from audit.models import AuditEvent
from support.models import MinorReport, PrivacyQuestion

from .conftest import QUESTION, REPORT

pytestmark = pytest.mark.django_db


def nothing_stored():
    return (
        not MinorReport.objects.exists()
        and not PrivacyQuestion.objects.exists()
        and not AuditEvent.objects.filter(event_type__startswith="support.").exists()
    )


@pytest.mark.parametrize("url_name", ["minor_report", "privacy_question"])
def test_the_forms_are_public_and_linked_from_every_page(client, url_name):
    page = client.get(reverse(url_name))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="website"' in html and 'aria-hidden="true"' in html  # the honeypot
    assert reverse(url_name) in client.get(reverse("home")).content.decode()  # footer


def test_a_minor_report_is_stored_audited_and_acknowledged_after_commit(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("minor_report"), {**REPORT, "website": ""})
    assert response.status_code == 302 and response["Location"] == reverse("minor_report_thanks")
    report = MinorReport.objects.get()
    assert (report.reporter_email, report.reported_email, report.status) == (
        "parent@example.net",
        "kid@example.org",
        "new",
    )
    assert report.acknowledged_at is None and report.account is None
    assert len(callbacks) == 1  # the acknowledgement, enqueued once the report is committed
    event = AuditEvent.objects.get(event_type=EventType.MINOR_REPORT_RECEIVED)
    # Nothing personal in the event, and nobody is its subject.
    assert event.subject_key is None and event.actor_subject is None and event.sealed_changes == ""
    assert event.target_id == str(report.pk)
    assert client.get(reverse("minor_report_thanks")).status_code == 200


def test_a_report_naming_the_account_only_by_details_is_accepted(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        client.post(reverse("minor_report"), {**REPORT, "reported_email": ""})
    assert MinorReport.objects.get().reported_details == REPORT["reported_details"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reporter_email": "not-an-address"}, "reporter_email"),
        ({"reporter_email": ""}, "reporter_email"),
        ({"reported_email": "kid@"}, "reported_email"),
        ({"reported_email": "", "reported_details": "  "}, "reported_email"),  # nobody named
        ({"description": ""}, "description"),
    ],
)
def test_bad_minor_reports_show_errors_at_the_field_and_store_nothing(
    client, changes, field, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("minor_report"), {**REPORT, **changes})
    assert response.status_code == 400
    html = response.content.decode()
    # The error is tied to its field for assistive technology.
    assert f'id="id_{field}_error"' in html
    assert re.search(f'aria-describedby="[^"]*id_{field}_error"', html)
    assert 'aria-invalid="true"' in html
    assert nothing_stored() and callbacks == []


def test_bad_questions_store_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("privacy_question"), {**QUESTION, "email": "pat(at)example.net"})
        missing = client.post(reverse("privacy_question"), {"email": "pat@example.net"})
    assert response.status_code == 400 and 'id="id_email_error"' in response.content.decode()
    assert missing.status_code == 400
    assert 'id="id_subject_error"' in missing.content.decode()
    assert 'id="id_message_error"' in missing.content.decode()
    assert nothing_stored() and callbacks == []


@pytest.mark.parametrize(("url_name", "data"), [("minor_report", REPORT), ("privacy_question", QUESTION)])
def test_a_bot_filling_the_honeypot_gets_thanks_and_nothing_is_stored(
    client, url_name, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse(url_name), {**data, "website": "https://spam.example"})
    assert response.status_code == 302 and response["Location"] == reverse(f"{url_name}_thanks")
    assert nothing_stored() and callbacks == []


def test_the_rate_limit_counts_per_network(client, settings, django_capture_on_commit_callbacks):
    settings.SUPPORT_FORM_RATE_LIMIT = "2/h"
    url = reverse("privacy_question")
    with django_capture_on_commit_callbacks():
        first = client.post(url, QUESTION, REMOTE_ADDR="203.0.113.5")
        # Another address in the same /24 counts against the same network.
        second = client.post(url, QUESTION, REMOTE_ADDR="203.0.113.77")
        third = client.post(url, QUESTION, REMOTE_ADDR="203.0.113.200")
        elsewhere = client.post(url, QUESTION, REMOTE_ADDR="198.51.100.1")
    assert [r.status_code for r in (first, second, third, elsewhere)] == [302, 302, 429, 302]
    assert "try again" in third.content.decode().lower()
    assert PrivacyQuestion.objects.count() == 3
    # Each form has its own count.
    with django_capture_on_commit_callbacks():
        report = client.post(reverse("minor_report"), REPORT, REMOTE_ADDR="203.0.113.5")
    assert report.status_code == 302


def test_a_question_is_stored_with_a_one_line_subject(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("privacy_question"), {**QUESTION, "name": "", "subject": "Where\r\nBcc: x@evil.example"}
        )
    assert response.status_code == 302
    question = PrivacyQuestion.objects.get()
    assert question.subject == "Where Bcc: x@evil.example" and question.status == "new"
    assert len(callbacks) == 1
    assert AuditEvent.objects.filter(event_type=EventType.PRIVACY_QUESTION_RECEIVED).count() == 1


def test_a_signed_in_person_finds_their_address_filled_in(client, alice, password):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    html = client.get(reverse("privacy_question")).content.decode()
    assert 'value="alice@example.org"' in html and 'value="Alice Andersson"' in html
