from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from cookies.declaration import optional_uses


def _asks_for(content) -> str:
    """What the banner asks permission for, from the declaration itself:
    "Analytics, set by Google (Google Analytics)"; "" when nothing is optional."""
    return "; ".join(
        _("%(category)s, set by %(providers)s")
        % {"category": use["name"], "providers": ", ".join(use["providers"])}
        for use in optional_uses(content)
    )


def consent_banner(request):
    """What the banner needs, computed only if a template asks for it."""

    def build():
        from cookies.selectors import current_revision

        from .selectors import consent_state_for_request

        revision = current_revision()
        state = consent_state_for_request(request, revision)
        choices = state["choices"] or {}
        return {
            "show": not state["current"],
            "revision": revision.content_hash,
            "categories": revision.content["categories"],
            "asks_for": _asks_for(revision.content),
            "choices": choices,
            "reconsent": state["reconsent"],
            "analytics_allowed": bool(choices.get("analytics")) and state["current"],
            "ga_id": settings.GOOGLE_ANALYTICS_ID,
        }

    return {"consent": SimpleLazyObject(build)}
