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


def request_signals(request) -> dict:
    family, version = user_agent_family_and_version(request.META.get("HTTP_USER_AGENT", ""))
    return {
        "gpc": request.META.get("HTTP_SEC_GPC") == "1" if "HTTP_SEC_GPC" in request.META else None,
        "dnt": request.META.get("HTTP_DNT") == "1" if "HTTP_DNT" in request.META else None,
        "ip_prefix": truncate_ip(client_ip(request)),
        "ua_family": family,
        "ua_version": version,
        "origin": (request.META.get("HTTP_ORIGIN") or "")[:200],
    }
