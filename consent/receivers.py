from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from subjects.services import subject_key_for_user

from .cookie import read_consent_cookie
from .services import consent_link_visitor


@receiver(auth_signals.user_logged_in)
def link_device_consent_to_account(sender, request, user, **kwargs):
    """Signing in (or up) links this device's consent to the account."""
    cookie = read_consent_cookie(request) if request is not None else None
    if cookie:
        consent_link_visitor(
            visitor_key=cookie["visitor"], account_subject_key=subject_key_for_user(user=user)
        )
