"""Audit events for account activity, from Django's and allauth's signals.

Each receiver runs inside the request that made the change, so the event is
written together with it."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from audit.events import EventType
from audit.services import audit_record

from .models import User, normalize_email_address


@receiver(account_signals.user_signed_up)
def on_signed_up(sender, request, user, **kwargs):
    audit_record(event_type=EventType.USER_SIGNED_UP, actor=user, target=user, request=request)


@receiver(auth_signals.user_logged_in)
def on_signed_in(sender, request, user, **kwargs):
    audit_record(event_type=EventType.USER_SIGNED_IN, actor=user, target=user, request=request)


@receiver(auth_signals.user_logged_out)
def on_signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(event_type=EventType.USER_SIGNED_OUT, actor=user, target=user, request=request)


@receiver(auth_signals.user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    # The typed address is not stored: for a known account the event is about
    # that person (they see it in their activity); for an unknown one, nobody.
    typed = credentials.get("email") or credentials.get("username") or ""
    subject = User.objects.filter(email__iexact=normalize_email_address(typed)).first() if typed else None
    audit_record(
        event_type=EventType.USER_SIGN_IN_FAILED,
        subject=subject,
        target=subject,
        changes={} if subject else {"account": "unknown"},
        request=request,
    )


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
def on_password_changed(sender, request, user, **kwargs):
    audit_record(event_type=EventType.PASSWORD_CHANGED, actor=user, target=user, request=request)


@receiver(account_signals.password_reset)
def on_password_reset(sender, request, user, **kwargs):
    audit_record(event_type=EventType.PASSWORD_RESET, actor=user, target=user, request=request)


@receiver(account_signals.email_added)
def on_email_added(sender, request, user, email_address, **kwargs):
    audit_record(
        event_type=EventType.EMAIL_ADDED,
        actor=user,
        target=user,
        request=request,
        personal_changes={"email": [None, email_address.email]},
    )


@receiver(account_signals.email_confirmed)
def on_email_confirmed(sender, request, email_address, **kwargs):
    user = email_address.user
    audit_record(
        event_type=EventType.EMAIL_CONFIRMED,
        actor=user,
        target=user,
        request=request,
        personal_changes={"email": [None, email_address.email]},
    )


@receiver(account_signals.email_changed)
def on_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    old = from_email_address.email if from_email_address else None
    if old is None or old == to_email_address.email:
        return  # allauth also signals the first confirmation at sign-up: nothing changed
    audit_record(
        event_type=EventType.EMAIL_CHANGED,
        actor=user,
        target=user,
        request=request,
        personal_changes={"email": [old, to_email_address.email]},
    )


@receiver(account_signals.email_removed)
def on_email_removed(sender, request, user, email_address, **kwargs):
    audit_record(
        event_type=EventType.EMAIL_REMOVED,
        actor=user,
        target=user,
        request=request,
        personal_changes={"email": [email_address.email, None]},
    )


@receiver(mfa_signals.authenticator_added)
def on_mfa_added(sender, request, user, authenticator, **kwargs):
    audit_record(
        event_type=EventType.MFA_ENABLED,
        actor=user,
        target=user,
        request=request,
        changes={"type": authenticator.type},
    )


@receiver(mfa_signals.authenticator_removed)
def on_mfa_removed(sender, request, user, authenticator, **kwargs):
    audit_record(
        event_type=EventType.MFA_REMOVED,
        actor=user,
        target=user,
        request=request,
        changes={"type": authenticator.type},
    )


@receiver(mfa_signals.authenticator_reset)
def on_mfa_reset(sender, request, user, authenticator, **kwargs):
    audit_record(
        event_type=EventType.MFA_RECOVERY_CODES_REGENERATED,
        actor=user,
        target=user,
        request=request,
        changes={"type": authenticator.type},
    )
