import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.events import EventType
from audit.models import AuditEvent
from subjects.services import subject_key_for_user, subject_unseal

pytestmark = pytest.mark.django_db


def events(*types):
    return list(AuditEvent.objects.filter(event_type__in=types).order_by("id"))


@pytest.fixture
def signed_in(client, alice, password):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    return client


def test_sign_in_and_sign_out_are_recorded(signed_in, alice):
    signed_in.post(reverse("account_logout"))
    key = subject_key_for_user(user=alice)
    recorded = events(EventType.USER_SIGNED_IN, EventType.USER_SIGNED_OUT)
    assert [e.event_type for e in recorded] == [EventType.USER_SIGNED_IN, EventType.USER_SIGNED_OUT]
    assert all(e.actor_subject == key and e.ip_prefix == "127.0.0.0" for e in recorded)


def test_failed_sign_in_is_recorded_without_the_typed_address(client, alice):
    client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"})
    client.post(reverse("account_login"), {"login": "stranger@example.org", "password": "wrong"})
    known, unknown = events(EventType.USER_SIGN_IN_FAILED)
    assert known.subject_key == subject_key_for_user(user=alice) and known.actor_subject is None
    assert unknown.subject_key is None and unknown.changes == {"account": "unknown"}
    assert "stranger" not in str(AuditEvent.objects.values_list())


def test_password_change_is_recorded(signed_in, alice, password):
    response = signed_in.post(
        reverse("account_change_password"),
        {
            "oldpassword": password,
            "password1": "another-Long-passphrase-9",
            "password2": "another-Long-passphrase-9",
        },
    )
    assert response.status_code == 302
    assert len(events(EventType.PASSWORD_CHANGED)) == 1


def test_email_change_is_recorded_with_sealed_addresses(signed_in, alice, mailoutbox, account_mail):
    with account_mail():
        response = signed_in.post(reverse("account_email"), {"action_add": "", "email": "alice@work.example"})
    assert response.status_code == 302
    link = re.search(r"(/accounts/confirm-email/[^\s]+/)", mailoutbox[-1].body).group(1)
    signed_in.post(link)
    # One address per account (ACCOUNT_CHANGE_EMAIL): confirming the new one replaces the old.
    assert list(EmailAddress.objects.filter(user=alice).values_list("email", "verified", "primary")) == [
        ("alice@work.example", True, True)
    ]

    alice.refresh_from_db()
    assert alice.email == "alice@work.example"
    (changed,) = events(EventType.EMAIL_CHANGED)
    assert "alice@" not in changed.sealed_changes
    assert subject_unseal(subject_key=changed.subject_key, token=changed.sealed_changes) == {
        "email": ["alice@example.org", "alice@work.example"]
    }
    assert len(events(EventType.EMAIL_ADDED)) == 1
    assert len(events(EventType.EMAIL_CONFIRMED)) == 1


def test_mfa_changes_are_recorded_in_the_transaction_that_makes_them(
    signed_in, alice, password, django_capture_on_commit_callbacks
):
    """allauth's own MFA signals come after commit; these events are written
    with the change: they exist before any on-commit callback has run."""
    # allauth asks for the password again before any two-factor change.
    assert signed_in.get(reverse("mfa_activate_totp")).status_code == 302
    signed_in.post(reverse("account_reauthenticate"), {"password": password})
    assert signed_in.get(reverse("mfa_activate_totp")).status_code == 200
    secret = signed_in.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))
    with django_capture_on_commit_callbacks(execute=False):
        response = signed_in.post(reverse("mfa_activate_totp"), {"code": code})
        assert response.status_code == 302, response.content
        added = events(EventType.MFA_ENABLED)
        # TOTP plus the recovery codes allauth creates with it.
        assert {e.changes["type"] for e in added} == {"totp", "recovery_codes"}
        assert added[0].ip_prefix  # the request's, through allauth's request context

    with django_capture_on_commit_callbacks(execute=False):
        signed_in.post(reverse("mfa_generate_recovery_codes"))
        # One event for the new codes: the delete and insert are one regeneration.
        assert len(events(EventType.MFA_RECOVERY_CODES_REGENERATED)) == 1
        assert len(events(EventType.MFA_ENABLED)) == 2

    with django_capture_on_commit_callbacks(execute=False):
        response = signed_in.post(reverse("mfa_deactivate_totp"))
        assert response.status_code == 302
        # The TOTP, then the recovery codes left without it.
        assert [e.changes["type"] for e in events(EventType.MFA_REMOVED)] == ["totp", "recovery_codes"]


def test_a_two_factor_change_that_rolls_back_leaves_no_event(alice):
    from allauth.mfa.models import Authenticator

    with pytest.raises(RuntimeError), transaction.atomic():
        Authenticator.objects.create(user=alice, type=Authenticator.Type.TOTP, data={"secret": "x"})
        assert len(events(EventType.MFA_ENABLED)) == 1
        raise RuntimeError("the request failed after the change")
    assert events(EventType.MFA_ENABLED) == [] and not Authenticator.objects.filter(user=alice).exists()


def test_people_see_their_own_activity(signed_in, alice, bob):
    from audit.services import audit_record

    audit_record(event_type=EventType.USER_SIGNED_IN, actor=bob)
    page = signed_in.get(reverse("privacy_activity")).content.decode()
    assert "Signed in" in page
    assert page.count("<tr>") == 2  # header + alice's own sign-in; bob's is not shown
