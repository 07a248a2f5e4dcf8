"""One controller setting, named the same wherever the controller is named:
the footer, every policy page, every email and consent receipts."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from consent.models import ConsentRecord
from cookies.selectors import current_revision
from core.mail import send_templated_email
from policies.models import PolicyDocument
from policies.services import _notice_email_text

pytestmark = pytest.mark.django_db

NAME, ADDRESS, EMAIL = "Exempel Personuppgifter AB", "Storgatan 1, 111 22 Stockholm", "dpo@exempel.example"
PHONE = "+46 31 000 00 00"


@pytest.fixture
def other_controller(settings):
    settings.CONTROLLER_NAME, settings.CONTROLLER_ADDRESS = NAME, ADDRESS
    settings.CONTROLLER_EMAIL = EMAIL
    settings.CONTROLLER_PHONE = PHONE


def test_the_footer_and_every_policy_page_name_the_configured_controller(client, other_controller):
    footer = client.get("/").content.decode()
    assert f"{NAME} · Privacy choices" in footer
    for slug in PolicyDocument.objects.values_list("slug", flat=True):
        html = client.get(reverse("policy", args=[slug])).content.decode()
        assert NAME in html and ADDRESS in html and f"mailto:{EMAIL}" in html, slug


def test_no_template_names_the_controller_itself():
    """The class of the bug: a company name typed into a template drifts from
    the one in the policy. Templates say {{ controller.name }} instead."""
    root = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and any(name in path.read_text() for name in ("iCentrex AB", "iCentrex Sweden AB"))
    ]
    assert offenders == []


def test_emails_name_the_controller_at_their_foot(other_controller, alice):
    send_templated_email(
        template="support/email/question_ack",
        context={"question": SimpleNamespace(pk=7)},
        to=alice.email,
        language="en",
    )
    message = mail.outbox[-1]
    assert NAME in message.body and ADDRESS in message.body and EMAIL in message.body
    assert message.reply_to == [EMAIL]

    version = PolicyDocument.objects.get(slug="privacy").versions.get(number=1)
    _subject, body, prebuilt = _notice_email_text(version, "sv")
    assert f"{NAME}, {ADDRESS}" in body and "Frågor om dina uppgifter" in body
    assert NAME.encode() in prebuilt


def test_allauth_emails_name_the_controller_too(client, other_controller, alice, account_mail):
    with account_mail():
        client.post(reverse("account_reset_password"), {"email": alice.email})
    assert NAME in mail.outbox[-1].body and EMAIL in mail.outbox[-1].body


def test_a_consent_receipt_names_the_controller(client, other_controller, alice, password):
    client.force_login(alice)
    client.post(
        reverse("cookie_choices"),
        {"method": "privacy_centre", "revision": current_revision().content_hash, "next": "/"},
    )
    record = ConsentRecord.objects.get()
    page = client.get(reverse("consent_receipt", args=[record.record_id])).content.decode()
    assert NAME in page and ADDRESS in page
    receipt = client.get(reverse("consent_receipt", args=[record.record_id]), {"format": "json"}).json()
    assert receipt["controller"] == {"name": NAME, "address": ADDRESS, "email": EMAIL, "phone": PHONE}


def test_the_default_controller_is_the_one_in_the_policy_text(client):
    """Footer and policy agree out of the box (the footer used to say "iCentrex AB")."""
    footer = client.get("/").content.decode()
    assert "iCentrex Sweden AB · Privacy choices" in footer
    assert (
        "iCentrex Sweden AB runs iCentrex" in client.get(reverse("policy", args=["privacy"])).content.decode()
    )
