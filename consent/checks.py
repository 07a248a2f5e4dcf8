"""Start-up checks of the consent settings."""

import re

from django.conf import settings
from django.core.checks import Error, register

from cookies.models import CONSENT_MODE_TYPES

_REGION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


@register()
def consent_mode_region_defaults(app_configs, **kwargs):
    """CONSENT_MODE_REGION_DEFAULTS: region code -> {consent type: granted|denied}."""
    defaults = settings.CONSENT_MODE_REGION_DEFAULTS
    problem = None
    if not isinstance(defaults, dict):
        problem = "must be a JSON object of region code -> consent types"
    else:
        for region, state in defaults.items():
            if not _REGION.match(region):
                problem = f"{region!r} is not an ISO 3166 region code such as 'SE' or 'US-CA'"
            elif not isinstance(state, dict) or not state:
                problem = f"the defaults of {region} must be an object of consent type -> granted/denied"
            elif unknown := sorted(set(state) - set(CONSENT_MODE_TYPES)):
                problem = f"unknown consent type(s) for {region}: {', '.join(unknown)}"
            elif any(value not in ("granted", "denied") for value in state.values()):
                problem = f"the defaults of {region} must be 'granted' or 'denied'"
            if problem:
                break
    if problem is None:
        return []
    return [Error(f"CONSENT_MODE_REGION_DEFAULTS: {problem}.", id="consent.E001")]
