"""Well-known tracker names and hosts, to suggest a category (and who runs it)
for something pages reported that the declaration does not list. A suggestion
only: the privacy officer decides."""

import re
from fnmatch import fnmatchcase

# (pattern, category key, provider). Cookie and local-storage names are matched as
# regular expressions from the start; hosts by suffix (a host covers its subdomains).
NAME_PATTERNS = [
    (r"_ga(_|$)|_gid$|_gat", "analytics", "Google (Google Analytics)"),
    (r"_gcl_|_gac_|IDE$|test_cookie$", "marketing", "Google (Ads)"),
    (r"_fbp$|_fbc$|fr$", "marketing", "Meta (Facebook)"),
    (r"_hj", "analytics", "Hotjar"),
    (r"_clck$|_clsk$|MUID$", "analytics", "Microsoft (Clarity)"),
    (r"ajs_", "analytics", "Segment"),
    (r"mp_", "analytics", "Mixpanel"),
    (r"amplitude_|AMP_", "analytics", "Amplitude"),
    (r"_pk_|MATOMO_", "analytics", "Matomo"),
    (r"hubspotutk$|__hs", "marketing", "HubSpot"),
    (r"_uet", "marketing", "Microsoft (Advertising)"),
    (r"li_|lidc$|bcookie$", "marketing", "LinkedIn"),
    (r"_ttp$|tt_", "marketing", "TikTok"),
    (r"intercom-", "preferences", "Intercom"),
    (r"__stripe_", "necessary", "Stripe"),
    (r"(theme|lang|locale|color-?scheme)$", "preferences", ""),
]
HOST_PATTERNS = [
    ("google-analytics.com", "analytics", "Google (Google Analytics)"),
    ("googletagmanager.com", "analytics", "Google (Tag Manager)"),
    ("doubleclick.net", "marketing", "Google (Ads)"),
    ("googleadservices.com", "marketing", "Google (Ads)"),
    ("googlesyndication.com", "marketing", "Google (Ads)"),
    ("facebook.net", "marketing", "Meta (Facebook)"),
    ("facebook.com", "marketing", "Meta (Facebook)"),
    ("hotjar.com", "analytics", "Hotjar"),
    ("clarity.ms", "analytics", "Microsoft (Clarity)"),
    ("bat.bing.com", "marketing", "Microsoft (Advertising)"),
    ("segment.com", "analytics", "Segment"),
    ("segment.io", "analytics", "Segment"),
    ("mixpanel.com", "analytics", "Mixpanel"),
    ("hs-scripts.com", "marketing", "HubSpot"),
    ("hs-analytics.net", "marketing", "HubSpot"),
    ("linkedin.com", "marketing", "LinkedIn"),
    ("licdn.com", "marketing", "LinkedIn"),
    ("tiktok.com", "marketing", "TikTok"),
    ("youtube.com", "marketing", "Google (YouTube)"),
    ("youtube-nocookie.com", "preferences", "Google (YouTube, privacy-enhanced)"),
    ("vimeo.com", "preferences", "Vimeo"),
    ("intercom.io", "preferences", "Intercom"),
    ("stripe.com", "necessary", "Stripe"),
    ("hcaptcha.com", "necessary", "hCaptcha"),
]
_NAMES = [(re.compile(pattern), category, provider) for pattern, category, provider in NAME_PATTERNS]


def host_covers(declared: str, host: str) -> bool:
    return host == declared or host.endswith("." + declared)


def suggest(kind: str, name: str) -> tuple[str, str]:
    """(category key, provider) for a reported name or host; ("", "") when unknown."""
    if kind == "host":
        for suffix, category, provider in HOST_PATTERNS:
            if host_covers(suffix, name):
                return category, provider
        return "", ""
    for pattern, category, provider in _NAMES:
        if pattern.match(name):
            return category, provider
    return "", ""


def name_declared(name: str, declared_names: list[str]) -> bool:
    """A declared name may be a pattern (``_ga_*``)."""
    return any(fnmatchcase(name, declared) for declared in declared_names)
