from django.conf import settings
from django.utils.functional import SimpleLazyObject


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
            "choices": choices,
            "reconsent": state["reconsent"],
            "analytics_allowed": bool(choices.get("analytics")) and state["current"],
            "ga_id": settings.GOOGLE_ANALYTICS_ID,
        }

    return {"consent": SimpleLazyObject(build)}
