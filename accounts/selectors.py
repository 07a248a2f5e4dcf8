from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import PersonalAccessToken, User, normalize_email_address


def api_token_authenticate(*, clear_token: str) -> PersonalAccessToken | None:
    """The active token matching ``clear_token`` with its user, or None."""
    if not clear_token.startswith(PersonalAccessToken.PREFIX):
        return None
    return (
        PersonalAccessToken.objects.active()
        .select_related("user")
        .filter(token_hash=PersonalAccessToken.hash_token(clear_token), user__is_active=True)
        .first()
    )


def api_tokens_for_user(*, user: User) -> QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(user=user)


def access_api_token_by_id(*, actor: User, token_id: int) -> PersonalAccessToken:
    """Someone else's token answers exactly like a missing one."""
    return get_object_or_404(PersonalAccessToken, user=actor, pk=token_id)


def account_by_email(*, email: str) -> User | None:
    """The account signed in with this address (the login address), or None."""
    return User.objects.filter(email__iexact=normalize_email_address(email)).first()
