"""A fixed-window rate limit counted in the project's cache (Redis wherever
CACHE_URL is set, so every web process shares the count).

allauth's rate limiter only reads allauth's own settings and is internal API,
and django-ratelimit would be a new dependency for what is one atomic INCR
here. The notation is allauth's (``"10/h"``, ``"5/10m"``), so both kinds of
limit read alike in settings."""

import hashlib
import re

from django.core.cache import cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^(?P<amount>\d+)/(?P<count>\d*)(?P<unit>[smhd])$")


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/h"`` → (10, 3600): at most 10 in each window of 3600 seconds."""
    match = _RATE.match(rate.strip())
    if not match:
        raise ValueError(f"not a rate: {rate!r} (expected e.g. 10/h or 5/10m)")
    return int(match["amount"]), int(match["count"] or 1) * _UNITS[match["unit"]]


def rate_limit_consume(*, action: str, key: str, rate: str, cost: int = 1) -> bool:
    """Count ``cost`` uses of ``action`` by ``key`` (e.g. a truncated IP); False
    when they do not fit in what is left of the current window. The key is
    hashed, so the cache holds no address."""
    amount, window = parse_rate(rate)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"rl:{action}:{digest}"
    # add() starts the window (and its expiry) only if no count exists; incr()
    # is atomic in Redis, so concurrent requests cannot both take the last use.
    cache.add(cache_key, 0, timeout=window)
    try:
        used = cache.incr(cache_key, cost)
    except ValueError:  # the window expired between add() and incr()
        cache.add(cache_key, cost, timeout=window)
        used = cost
    return used <= amount
