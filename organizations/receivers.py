from allauth.account import signals as account_signals
from django.contrib.auth import signals as auth_signals
from django.db import transaction
from django.dispatch import receiver

from .models import Organization
from .sessions import organization_session_set


@receiver(auth_signals.user_logged_in)
def sign_in_to_every_organization(sender, request, user, **kwargs):
    """Signing in to the account signs in to each of its organisations; people may
    then sign out of some and stay in the others."""
    if request is not None and hasattr(request, "session"):
        organization_session_set(request, Organization.objects.filter(memberships__user=user))


@receiver(account_signals.email_confirmed)
def disclose_confirmed_address(sender, request, email_address, **kwargs):
    """A newly verified address (at sign-up or an email change) may be at a
    domain an organisation has verified: disclose it now, not at the next
    hourly run. The run reads the account after commit, when allauth has made
    the confirmed address the primary one. ``robust``: a failure here must not
    turn a confirmed address into an error page; the hourly run catches up."""
    from .services import disclosure_run_for_person

    user = email_address.user
    transaction.on_commit(lambda: disclosure_run_for_person(user=user), robust=True)


@receiver(account_signals.email_changed)
def disclose_changed_address(sender, request, user, from_email_address, to_email_address, **kwargs):
    from .services import disclosure_run_for_person

    transaction.on_commit(lambda: disclosure_run_for_person(user=user), robust=True)
