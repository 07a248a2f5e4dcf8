"""Integrations react to changes made in lower apps, through their signals."""

from django.dispatch import receiver

from accounts.signals import profile_changed

from .services import share_profile_change


@receiver(profile_changed)
def on_profile_changed(sender, user, changed, **kwargs):
    share_profile_change(user=user, changed=changed)
