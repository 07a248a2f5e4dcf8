from .selectors import NO_PENDING_UPDATES


def policy_updates(request):
    """Non-material policy updates the person has not acknowledged yet (the
    banner). Lazy: no query unless a template shows the banner."""
    return {"policy_updates": getattr(request, "policy_updates", NO_PENDING_UPDATES)}
