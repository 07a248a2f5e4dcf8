"""Audit events for account activity, from Django's and allauth's signals.

Each receiver runs inside the request that made the change, so the event is
written together with it."""

from allauth.account import signals as account_signals
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from audit.events import EventType
from audit.services import audit_record

from .models import User, normalize_email_address
from .signals import profile_changed


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
    with transaction.atomic():
        audit_record(
            event_type=EventType.EMAIL_CHANGED,
            actor=user,
            target=user,
            request=request,
            personal_changes={"email": [old, to_email_address.email]},
        )
        # Integrations granted the address receive the new one (and log it).
        profile_changed.send(sender=User, user=user, changed={"email"})


@receiver(account_signals.email_removed)
def on_email_removed(sender, request, user, email_address, **kwargs):
    audit_record(
        event_type=EventType.EMAIL_REMOVED,
        actor=user,
        target=user,
        request=request,
        personal_changes={"email": [email_address.email, None]},
    )


# --- Two-factor methods -----------------------------------------------------------------
# allauth's own mfa signals (authenticator_added, _reset) are sent from
# transaction.on_commit, after the change has committed: an audit event written
# there could be lost while the change stays. So the events come from the
# model's signals instead, which run inside the statement's transaction: allauth
# adds TOTP (and its first recovery codes) and regenerates recovery codes
# inside one atomic block, and Django deletes inside one. Recovery codes
# regenerated are one delete and one insert: the delete, made while another
# method remains, is the regeneration; the insert that follows it in the same
# transaction is not a second event.
_regenerated: dict[int, int] = {}  # user id -> the recovery codes row just deleted


def _request():
    return allauth_context.request


@receiver(post_save, sender=Authenticator)
def on_mfa_saved(sender, instance, created, **kwargs):
    if not created:
        return  # usage and "codes viewed" bookkeeping, not a change of method
    deleted = _regenerated.pop(instance.user_id, None)
    if (
        instance.type == Authenticator.Type.RECOVERY_CODES
        and deleted is not None
        and not Authenticator.objects.filter(pk=deleted).exists()  # still there: that delete rolled back
    ):
        return
    audit_record(
        event_type=EventType.MFA_ENABLED,
        actor=instance.user,
        target=instance.user,
        request=_request(),
        changes={"type": instance.type},
    )


@receiver(post_delete, sender=Authenticator)
def on_mfa_deleted(sender, instance, **kwargs):
    user = User.objects.filter(pk=instance.user_id).first()
    if user is None:
        return  # the account itself is being deleted: erasure audits that
    others = Authenticator.objects.filter(user_id=user.pk).exclude(type=Authenticator.Type.RECOVERY_CODES)
    if instance.type == Authenticator.Type.RECOVERY_CODES and others.exists():
        _regenerated[user.pk] = instance.pk
        event_type = EventType.MFA_RECOVERY_CODES_REGENERATED
    else:
        event_type = EventType.MFA_REMOVED
    audit_record(
        event_type=event_type,
        actor=user,
        target=user,
        request=_request(),
        changes={"type": instance.type},
    )
