"""A person sees, in their privacy centre, the privacy questions they asked from
their verified addresses and our answers; nobody else's."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from support import services
from support.models import PrivacyQuestion

pytestmark = pytest.mark.django_db


def _ask(email: str, subject: str, message: str = "Which countries is my data stored in?") -> PrivacyQuestion:
    return services.privacy_question_create(
        actor=None, name="", email=email, subject=subject, message=message, language="en"
    )


def test_the_privacy_centre_lists_my_questions_and_the_answers(client, sign_in, alice, bob, agent):
    mine = _ask("Alice@Example.org", "Where is my data stored?")
    services.privacy_question_reply(actor=agent, question=mine, body="In Sweden & Finland only.")
    other = EmailAddress.objects.create(user=alice, email="alice@work.example", verified=True)
    _ask(other.email, "Who sees my calendar?")
    # An address Alice added but never verified proves nothing: not hers here.
    EmailAddress.objects.create(user=alice, email="alice@unverified.example", verified=False)
    _ask("alice@unverified.example", "Unverified question")
    _ask(bob.email, "Bob's own question")

    sign_in(alice)
    page = client.get(reverse("privacy_questions"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Where is my data stored?" in html and "In Sweden &amp; Finland only." in html
    assert "Who sees my calendar?" in html and "No answer yet" in html
    assert "Unverified question" not in html and "Bob&#x27;s own question" not in html
    # Newest first.
    assert html.index("Who sees my calendar?") < html.index("Where is my data stored?")
    assert 'href="/privacy/privacy-questions/" aria-current="page"' in html


def test_nobody_signed_out_sees_the_page(client):
    response = client.get(reverse("privacy_questions"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_the_page_says_so_when_there_are_none(client, sign_in, bob):
    _ask("someone@example.net", "Not Bob's")
    sign_in(bob)
    html = client.get(reverse("privacy_questions")).content.decode()
    assert "You have not sent us a privacy question" in html and "Not Bob" not in html
