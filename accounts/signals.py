"""Signals accounts sends for apps higher in the stack to act on: accounts
never imports them (DESIGN.md, "Layers")."""

from django.dispatch import Signal

# Sent inside the transaction of a profile change, once it is written and
# audited, so what a receiver writes (integrations sharing the new name) commits
# or rolls back with it. Arguments: ``user``, ``changed`` (the field names).
profile_changed = Signal()
