import secrets
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, Forbidden
from core.replicas import bookkeeping_write
from subjects.services import subject_shred

from .models import PersonalAccessToken, User
from .signals import profile_changed


def user_update_profile(*, actor: User, user: User, name: str, language: str, request=None) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        old = {"name": user.name, "language": user.language}
        if old == {"name": name, "language": language}:
            return user
        user.name, user.language = name, language
        user.save(update_fields=["name", "language"])
        changed = {key for key in old if old[key] != getattr(user, key)}
        audit_record(
            event_type=EventType.USER_PROFILE_CHANGED,
            actor=actor,
            subject=user,
            target=user,
            # The language is not personal; a name is, so it is sealed.
            changes={"language": [old["language"], language]} if "language" in changed else None,
            personal_changes={"name": [old["name"], name]} if "name" in changed else None,
            request=request,
        )
        profile_changed.send(sender=User, user=user, changed=changed)
    return user


def api_token_create(
    *, actor: User, name: str, expires_at: datetime | None = None, request=None
) -> tuple[PersonalAccessToken, str]:
    """Create a token for the actor; returns it with the clear value, which is
    never stored and cannot be shown again."""
    secret = secrets.token_urlsafe(32)
    clear = f"{PersonalAccessToken.PREFIX}{secret}"
    with transaction.atomic():
        token = PersonalAccessToken.objects.create(
            user=actor,
            name=name,
            hint=secret[:8],
            token_hash=PersonalAccessToken.hash_token(clear),
            expires_at=expires_at,
        )
        audit_record(
            event_type=EventType.API_TOKEN_CREATED,
            actor=actor,
            target=token,
            changes={
                "name": name,
                "hint": token.hint,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
            request=request,
        )
    return token, clear


def api_token_revoke(*, actor: User, token: PersonalAccessToken, request=None) -> PersonalAccessToken:
    with transaction.atomic():
        token = PersonalAccessToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            event_type=EventType.API_TOKEN_REVOKED,
            actor=actor,
            subject=token.user,
            target=token,
            changes={"name": token.name, "hint": token.hint},
            request=request,
        )
    return token


def api_token_touch(*, token: PersonalAccessToken) -> None:
    """Record use at most once a minute, so a busy script does not turn every
    read into a write."""
    now = timezone.now()
    if token.last_used_at and (now - token.last_used_at).total_seconds() < 60:
        return
    with bookkeeping_write():  # not the client's data: its next reads may still use a replica
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)


_DELETED_DOMAIN = "@deleted.invalid"


def deleted_account_email(user: User) -> str:
    """The placeholder address of a deleted account: unique, says nothing about
    the person, and undeliverable (.invalid is reserved, RFC 2606)."""
    return f"deleted-{user.pk}{_DELETED_DOMAIN}"


def _refuse_staff_target(*, actor: User, user: User) -> None:
    """Staff act on customers' accounts here, never on their own or a colleague's,
    and not on one that is already deleted (it would only be re-linked to a new key)."""
    if user.email.endswith(_DELETED_DOMAIN):
        raise Conflict(_("This account is already deleted."), code="account_deleted")
    if user.pk == actor.pk:
        raise Forbidden(_("You cannot suspend or delete your own account."), code="own_account")
    if user.is_staff or user.is_superuser:
        raise Forbidden(
            _("Staff accounts are not suspended or deleted here; ask an administrator."), code="staff_account"
        )


def user_suspend(*, actor: User, user: User, context: dict | None = None, request=None) -> User:
    """Stop an account at once: it cannot sign in, its sessions end and its API
    tokens stop working. ``context`` says why (e.g. the minor report's id).

    Sessions are not indexed by account (each is an encoded blob), so they are
    ended by what Django checks on every request instead: an inactive account
    is never loaded from a session, and the unusable password changes the
    sessions' auth hash, so they stay dead even if the account is reinstated
    (the person then sets a new password through password reset)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _refuse_staff_target(actor=actor, user=user)
        if not user.is_active:
            return user
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        revoked = PersonalAccessToken.objects.filter(user=user).active().update(revoked_at=timezone.now())
        audit_record(
            event_type=EventType.USER_SUSPENDED,
            actor=actor,
            subject=user,
            target=user,
            changes={**(context or {}), "api_tokens_revoked": revoked},
            # Readable while the person exists; unreadable once they are deleted (shredded key).
            personal_changes={"email": [None, user.email]},
            request=request,
        )
    return user


def user_reinstate(*, actor: User, user: User, context: dict | None = None, request=None) -> User:
    """Lift a suspension. The password stays unusable and revoked tokens stay
    revoked: the person sets a new password through password reset."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _refuse_staff_target(actor=actor, user=user)
        if user.is_active:
            return user
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(
            event_type=EventType.USER_REINSTATED,
            actor=actor,
            subject=user,
            target=user,
            changes=context or {},
            request=request,
        )
    return user


def user_delete_profile(*, actor: User, user: User, context: dict | None = None, request=None) -> User:
    """Delete a suspended account's profile data and crypto-shred the person
    (staff, after a report of a child under 13).

    The account row stays as an inactive, nameless placeholder, so rows that
    point at it (and the audit trail) keep their shape; what identified the
    person goes (``_profile_wipe``), then their subject link with their own key,
    which makes every sealed value about them in the evidence unreadable.
    Organisation memberships are ended before this by the organisations' own
    service. Self-service erasure (data_requests.erasure) ends the same way."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _refuse_staff_target(actor=actor, user=user)
        if user.is_active:
            raise Conflict(_("Suspend the account before deleting it."), code="not_suspended")
        removed = _profile_wipe(user)
        # The last event about the person: written before the shredding, under
        # their subject key, which then no longer leads to anyone.
        audit_record(
            event_type=EventType.USER_DELETED,
            actor=actor,
            subject=user,
            target=user,
            changes={**(context or {}), **removed},
            request=request,
        )
        subject_shred(user=user)
    return user


def _deleted_count(queryset) -> int:
    return queryset.delete()[1].get(queryset.model._meta.label, 0)


def _profile_wipe(user: User) -> dict:
    """Everything on the account that identifies the person goes; the row stays
    as an inactive placeholder. Returns counts (nothing personal)."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    removed = {
        "email_addresses_removed": _deleted_count(EmailAddress.objects.filter(user=user)),
        "authenticators_removed": _deleted_count(Authenticator.objects.filter(user=user)),
        "api_tokens_removed": _deleted_count(PersonalAccessToken.objects.filter(user=user)),
        # The back office's own change log names the account by its address (object_repr).
        "admin_log_entries_removed": _deleted_count(
            LogEntry.objects.filter(
                models.Q(user=user)
                | models.Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
            )
        ),
        "sessions_ended": sessions_end_for(user=user),
    }
    user.name = ""
    user.email = deleted_account_email(user)
    user.language = ""
    user.age_check_passed_at = None
    user.last_login = None
    user.is_active = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return removed


def sessions_end_for(*, user: User) -> int:
    """Delete every live session signed in to the account. Sessions are not
    indexed by account (each is an encoded blob), so the live ones are read
    and decoded; an unusable password already makes them fail Django's
    session check, this removes them."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    store = Session.get_session_store_class()()
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000)
        if str(store.decode(session.session_data).get(SESSION_KEY)) == str(user.pk)
    ]
    for start in range(0, len(mine), 1000):
        Session.objects.filter(pk__in=mine[start : start + 1000]).delete()
    return len(mine)


def user_lock_out_for_erasure(*, user: User) -> dict:
    """The first step of a self-service erasure: the account stops working at
    once (no sign-in, its sessions and API tokens end), so nothing half-erased
    is ever used. Returns counts."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        return {
            "api_tokens_revoked": PersonalAccessToken.objects.filter(user=user)
            .active()
            .update(revoked_at=timezone.now()),
            "sessions_ended": sessions_end_for(user=user),
        }


def user_erase_profile(*, user: User, request_id) -> dict:
    """The last step of a self-service erasure: the profile goes, the final
    audit event is written under the person's subject key, and the person is
    crypto-shredded (data_requests.erasure)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        removed = _profile_wipe(user)
        audit_record(
            event_type=EventType.USER_ERASED,
            actor=user,
            subject=user,
            target=user,
            changes={"erasure_request": str(request_id), **removed},
        )
        subject_shred(user=user)
    return removed


def reauthenticate_with_password(*, user: User, password: str, code: str = "") -> None:
    """Check that the person at the API is the account holder (before an
    irreversible request): their password, and a current two-factor code when
    they use two-factor sign-in. Forbidden otherwise."""
    from allauth.mfa.totp.internal.auth import TOTP

    if not password or not user.check_password(password):
        raise Forbidden(_("The password is not right."), code="reauthentication_failed")
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None and not (code and TOTP(totp).validate_code(code.strip())):
        raise Forbidden(
            _("Enter the current code from your authenticator app as well."), code="reauthentication_failed"
        )
