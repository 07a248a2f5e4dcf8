import ipaddress

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied


def truncate_ip(address: str | None) -> str:
    """Keep only the network part: /24 for IPv4, /48 for IPv6 (DESIGN.md: IPs are
    truncated before they are stored)."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    host_bits = ip.max_prefixlen - (24 if ip.version == 4 else 48)
    # Masking the integer: twice as fast as building an ip_network (every consent write pays it).
    return str(type(ip)(int(ip) >> host_bits << host_bits))


def client_ip(request) -> str:
    """The client's address as allauth's rate limits see it (one notion of
    "client IP" for the whole project, including the trusted-proxy settings)."""
    if request is None:
        return ""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return ""
