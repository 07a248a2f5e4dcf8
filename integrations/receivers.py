"""Integrations react to changes made in lower apps, through their signals."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.signals import profile_changed
from organizations.signals import team_member_added

from .models import Provider
from .opt_out import provider_register_changed
from .services import share_profile_change, share_with_team_newcomer


@receiver(profile_changed)
def on_profile_changed(sender, user, changed, **kwargs):
    share_profile_change(user=user, changed=changed)


@receiver(team_member_added)
def on_team_member_added(sender, team_membership, **kwargs):
    share_with_team_newcomer(team_membership=team_membership)


@receiver([post_save, post_delete], sender=Provider)
def on_provider_changed(sender, **kwargs):
    # Whether the "Do Not Sell or Share" link is required may have changed (integrations/opt_out.py).
    transaction.on_commit(provider_register_changed)
