"""What a consent record keeps about the request it came from: minimised."""

from functools import lru_cache

from ua_parser import parse

from core.net import client_ip, truncate_ip


@lru_cache(maxsize=2048)
def user_agent_family_and_version(user_agent: str) -> tuple[str, str]:
    """Only the browser family and major version are kept, never the full string."""
    if not user_agent:
        return "", ""
    agent = parse(user_agent[:500]).user_agent
    if agent is None:
        return "Other", ""
    return agent.family[:60], (agent.major or "")[:20]


def preference_signal(request, header: str) -> bool | None:
    """A preference header (``Sec-GPC``, ``DNT``): None when not sent; True when
    a value is exactly ``1`` — in any one of the headers, if it came several
    times (they arrive joined by commas); anything else ("0", "true", "1.0") is
    a signal sent and not set."""
    raw = request.META.get(header)
    if raw is None:
        return None
    return any(value.strip() == "1" for value in raw.split(","))


def request_signals(request) -> dict:
    family, version = user_agent_family_and_version(request.META.get("HTTP_USER_AGENT", ""))
    return {
        "gpc": preference_signal(request, "HTTP_SEC_GPC"),
        "dnt": preference_signal(request, "HTTP_DNT"),
        "ip_prefix": truncate_ip(client_ip(request)),
        "ua_family": family,
        "ua_version": version,
        "origin": (request.META.get("HTTP_ORIGIN") or "")[:200],
    }
