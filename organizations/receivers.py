from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from .models import Organization
from .sessions import organization_session_set


@receiver(auth_signals.user_logged_in)
def sign_in_to_every_organization(sender, request, user, **kwargs):
    """Signing in to the account signs in to each of its organisations; people may
    then sign out of some and stay in the others."""
    if request is not None and hasattr(request, "session"):
        organization_session_set(request, Organization.objects.filter(memberships__user=user))
