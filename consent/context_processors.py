from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from cookies.declaration import consent_mode_types, gpc_categories, localized, optional_uses
from integrations.opt_out import do_not_sell_link_required


def _asks_for(content) -> str:
    """What the banner asks permission for, from the declaration itself:
    "Analytics, set by Google (Google Analytics)"; "" when nothing is optional."""
    return "; ".join(
        _("%(category)s, set by %(providers)s")
        % {"category": use["name"], "providers": ", ".join(use["providers"])}
        for use in optional_uses(content)
    )


def consent_mode(content: dict, choices: dict | None) -> dict:
    """What consent-mode.js tells Google tags (Consent Mode v2), from the
    declaration: every type denied by default except those of strictly necessary
    categories, region defaults from the settings, the person's choices as an
    update when they made any, and which types each category grants."""
    return {
        "default": consent_mode_types(content, None),
        "wait_for_update": settings.CONSENT_MODE_WAIT_FOR_UPDATE_MS,
        "regions": [
            {**state, "region": [region]} for region, state in settings.CONSENT_MODE_REGION_DEFAULTS.items()
        ],
        "update": consent_mode_types(content, choices) if choices else None,
        "categories": {c["key"]: c.get("consent_mode", []) for c in content["categories"]},
        "necessary": [c["key"] for c in content["categories"] if c["necessary"]],
    }


def consent_banner(request):
    """What the banner needs, computed only if a template asks for it."""

    def build():
        from cookies.selectors import current_revision

        from .selectors import consent_state_for_request

        revision = current_revision()
        content = localized(revision.content, getattr(request, "LANGUAGE_CODE", ""))
        state = consent_state_for_request(request, revision)
        choices = state["choices"] or {}
        names = {c["key"]: c["name"] for c in content["categories"]}
        refusable = gpc_categories(revision.content)
        refused_by_signal = refusable if state["gpc"] else set()
        honoured = [key for key in names if key in refused_by_signal and not choices.get(key)]
        return {
            "show": not state["current"],
            "revision": revision.content_hash,
            "categories": content["categories"],
            "asks_for": _asks_for(content),
            "choices": choices,
            "reconsent": state["reconsent"],
            "analytics_allowed": bool(choices.get("analytics")) and state["current"],
            "ga_id": settings.GOOGLE_ANALYTICS_ID,
            # consent.js reports undeclared trackers from this share of page views.
            "report_sample": repr(float(settings.CONSENT_TRACKER_SAMPLE_RATE)),  # never localised ("0,1")
            # The opt-out preference signal: which categories it keeps off, and which the
            # person turned on themselves while it was on (shown per category).
            "gpc": state["gpc"],
            "gpc_honoured": honoured,
            # For the banner's note (consent.js may show it before any is honoured).
            "gpc_honoured_names": ", ".join(
                names[key] for key in names if key in refusable and not (state["gpc"] and choices.get(key))
            ),
            "gpc_overridden": [key for key in names if key in refused_by_signal and choices.get(key)],
            "gpc_refusable": refusable,
            # Whether the footer links to the "Do Not Sell or Share" opt-out (kept in the cache).
            "do_not_sell_link": do_not_sell_link_required(revision),
            # Categories to be asked about again count as not granted until the person answers.
            "consent_mode": consent_mode(
                revision.content,
                {key: on for key, on in choices.items() if key not in state["reconsent"]} or None,
            ),
        }

    return {"consent": SimpleLazyObject(build)}
