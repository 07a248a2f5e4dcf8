import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.events import EventType
from audit.services import audit_record

from .models import PersonalAccessToken, User


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
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
