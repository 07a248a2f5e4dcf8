"""A newly confirmed address may be at a domain an organisation has verified
(allauth's signals; connected in DomainsConfig.ready)."""

from allauth.account import signals as account_signals
from django.db import transaction
from django.dispatch import receiver

from .services import disclosure_run_for_person


@receiver(account_signals.email_confirmed)
def disclose_confirmed_address(sender, request, email_address, **kwargs):
    """A newly verified address (at sign-up or an email change) may be at a
    domain an organisation has verified: disclose it now, not at the next
    hourly run. The run reads the account after commit, when allauth has made
    the confirmed address the primary one. ``robust``: a failure here must not
    turn a confirmed address into an error page; the hourly run catches up."""
    user = email_address.user
    transaction.on_commit(lambda: disclosure_run_for_person(user=user), robust=True)


@receiver(account_signals.email_changed)
def disclose_changed_address(sender, request, user, from_email_address, to_email_address, **kwargs):
    transaction.on_commit(lambda: disclosure_run_for_person(user=user), robust=True)
