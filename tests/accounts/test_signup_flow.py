import re
from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from audit.events import EventType
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "a-long-Unusual-passphrase-42"


def signup(client, *, email="Eva.Ek@Example.org", born="1990-05-01", **extra):
    data = {
        "name": "Eva Ek",
        "email": email,
        "date_of_birth": born,
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        **extra,
    }
    return client.post(reverse("account_signup"), data)


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


def test_signup_verify_signin_signout(client, mailoutbox, account_mail):
    with account_mail():
        response = signup(client)
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "eva.ek@example.org"  # normalised
    assert user.name == "Eva Ek"
    assert not client.get(reverse("privacy_centre")).wsgi_request.user.is_authenticated

    # Mandatory verification: signing in before confirming does not get you in.
    response = client.post(
        reverse("account_login"), {"login": "eva.ek@example.org", "password": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    link = confirmation_link(mailoutbox[0])
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    response = client.post(
        reverse("account_login"), {"login": "EVA.EK@example.org", "password": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("privacy_centre")
    page = client.get(reverse("privacy_centre"))
    assert page.status_code == 200
    assert b"Eva" in page.content

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("privacy_centre")).status_code == 302  # to sign-in

    types = list(AuditEvent.objects.order_by("id").values_list("event_type", flat=True))
    assert types == [
        EventType.USER_SIGNED_UP,
        EventType.EMAIL_CONFIRMED,
        EventType.USER_SIGNED_IN,
        EventType.USER_SIGNED_OUT,
    ]


def test_email_is_unique_whatever_its_case(client, alice, mailoutbox, account_mail):
    with account_mail():
        response = signup(client, email="ALICE@example.org")
    # No account enumeration: the page looks like success, the owner gets an email.
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert mailoutbox[0].to == ["alice@example.org"]


def test_weak_password_is_refused_with_a_message(client):
    response = signup(client, password1="password", password2="password")
    assert response.status_code == 200
    assert User.objects.count() == 0
    assert b"too common" in response.content


def test_future_birth_date_is_refused(client):
    response = signup(client, born=date(date.today().year + 1, 1, 1).isoformat())
    assert response.status_code == 200
    assert b"cannot be in the future" in response.content
    assert User.objects.count() == 0
