"""Signals organizations sends for apps higher in the stack to act on:
organizations never imports them (DESIGN.md, "Layers")."""

from django.dispatch import Signal

# Sent inside the transaction that adds a member to a team, once it is written
# and audited, so what a receiver writes (a team's integrations sharing with
# the newcomer) commits or rolls back with it. Argument: ``team_membership``.
team_member_added = Signal()
