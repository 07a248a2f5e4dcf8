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


PRIVACY_OFFICER_GROUP = "privacy_officer"
SUPPORT_GROUP = "support"


def is_privacy_officer(user) -> bool:
    """Privacy officers (a staff group) publish policies and read consent figures."""
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name=PRIVACY_OFFICER_GROUP).exists()
    )


def is_support_staff(user) -> bool:
    """Support agents and privacy officers handle minor reports and privacy questions."""
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name__in=[SUPPORT_GROUP, PRIVACY_OFFICER_GROUP]).exists()
    )


def staff_sections_for(user) -> dict[str, bool]:
    """Which parts of the staff console the person may open, from one query
    (the staff navigation asks on every staff page)."""
    if not user.is_authenticated:
        return {"support": False, "privacy_officer": False}
    groups = {PRIVACY_OFFICER_GROUP, SUPPORT_GROUP} if user.is_superuser else set()
    if not groups:
        groups = set(
            user.groups.filter(name__in=[SUPPORT_GROUP, PRIVACY_OFFICER_GROUP]).values_list("name", flat=True)
        )
    return {"support": bool(groups), "privacy_officer": PRIVACY_OFFICER_GROUP in groups}


def account_by_email(*, email: str) -> User | None:
    """The account signed in with this address (the login address), or None."""
    return User.objects.filter(email__iexact=normalize_email_address(email)).first()
