"""The provider register (staff): integrations and the service providers that act
for iCentrex, kept by privacy officers."""

import ipaddress
import secrets
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.staff_roles import StaffPermission, require_staff_permission
from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, RuleViolation
from subjects.services import secret_seal

from ..catalog import FIELDS
from ..models import Provider, SubprocessorChange
from .subprocessors import NOTICE_FIELDS, subprocessor_change_schedule

# What a privacy officer may set, by kind; the rest stays blank for that kind.
_COMMON_FIELDS = ("name", "description", "purpose", "fields", "role", "advertising", "active")
PROVIDER_FIELDS = {
    Provider.Kind.INTEGRATION: (*_COMMON_FIELDS, "webhook_url"),
    Provider.Kind.SERVICE_PROVIDER: (
        *_COMMON_FIELDS,
        "service",
        "agreement_reference",
        "country",
        "transfer_mechanism",
    ),
}


def _require_privacy_officer(actor) -> None:
    require_staff_permission(
        actor,
        StaffPermission.PROVIDERS_MANAGE,
        message=_("Only privacy officers change the provider register."),
        code="not_privacy_officer",
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _provider_validate(provider: Provider) -> None:
    """The register's rules, for creating and editing alike."""
    fields = provider.fields
    if not isinstance(fields, list) or not fields:
        raise RuleViolation(_("Declare at least one field the provider receives."), code="no_fields")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise RuleViolation(
            _("These are not fields iCentrex can share: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="unknown_fields",
        )
    if not provider.name.strip() or not provider.purpose.strip():
        raise RuleViolation(_("A provider needs a name and a purpose."), code="incomplete")
    if provider.role not in Provider.Role.values:
        raise RuleViolation(_("Choose the provider's role."), code="no_role")
    if provider.advertising and provider.role != Provider.Role.THIRD_PARTY:
        # A service provider or contractor may not do cross-context behavioural advertising (11 CCR 7050).
        raise RuleViolation(
            _(
                "A service provider or contractor cannot receive data for cross-context behavioural "
                "advertising: classify it as a third party."
            ),
            code="advertising_needs_third_party",
        )
    if provider.is_integration:
        url = urlsplit(provider.webhook_url or "")
        # Signed personal data goes over TLS; plain HTTP only to this machine (tests, local receivers).
        if not url.hostname or not (
            url.scheme == "https" or (url.scheme == "http" and _loopback(url.hostname))
        ):
            raise RuleViolation(
                _("The webhook endpoint must be an https:// address."), code="webhook_url_not_https"
            )
    else:
        if provider.service not in Provider.Service.values:
            raise RuleViolation(_("Choose the service this provider performs."), code="no_service")
        if not provider.agreement_reference.strip():
            raise RuleViolation(
                _("A service provider needs a processing agreement reference."), code="no_agreement"
            )
        if len(provider.country) != 2 or not provider.country.isalpha() or not provider.country.isupper():
            raise RuleViolation(
                _("Give the country as a two-letter ISO 3166 code, e.g. SE."), code="invalid_country"
            )


def default_role(kind: str) -> str:
    """A service provider acts for iCentrex; an integration is a third party the person chose."""
    return (
        Provider.Role.SERVICE_PROVIDER
        if kind == Provider.Kind.SERVICE_PROVIDER
        else Provider.Role.THIRD_PARTY
    )


def _for_kind(kind: str, values: dict) -> dict:
    """The values that apply to this kind; a value set for the other kind is refused."""
    extra = sorted(k for k, v in values.items() if k not in PROVIDER_FIELDS[kind] and v not in ("", None))
    if extra:
        raise RuleViolation(
            _("Not used for this kind of provider: %(fields)s.") % {"fields": ", ".join(extra)},
            code="not_for_this_kind",
        )
    return {k: v for k, v in values.items() if k in PROVIDER_FIELDS[kind]}


def _register_values(provider: Provider) -> dict:
    values = {f: getattr(provider, f) for f in PROVIDER_FIELDS[provider.kind]}
    values["fields"] = list(values["fields"])
    return values


def provider_create(*, actor, kind: str, slug: str, request=None, **values) -> tuple[Provider, str | None]:
    """Add a provider to the register (privacy officers). An integration gets
    a new signing secret, returned here in clear once and stored sealed."""
    _require_privacy_officer(actor)
    if kind not in Provider.Kind.values:
        raise RuleViolation(_("Unknown kind of provider."), code="invalid_kind")
    try:
        validate_slug(slug)
    except ValidationError:
        raise RuleViolation(
            _("The slug may hold letters, digits, - and _ only."), code="invalid_slug"
        ) from None
    if not values.get("role"):
        values["role"] = default_role(kind)
    provider = Provider(kind=kind, slug=slug, **_for_kind(kind, values))
    provider.fields = list(dict.fromkeys(provider.fields or []))
    _provider_validate(provider)
    secret = secrets.token_urlsafe(32) if provider.is_integration else None
    if secret:
        provider.signing_secret_sealed = secret_seal(secret)
    # A new sub-processor is announced now and active only after the notice period.
    announce = provider.kind == Provider.Kind.SERVICE_PROVIDER and provider.active
    if announce:
        provider.active = False
    try:
        with transaction.atomic():
            provider.save()
            audit_record(
                event_type=EventType.PROVIDER_CHANGED,
                actor=actor,
                target=provider,
                changes={"action": "created", "provider": slug, "kind": kind, **_register_values(provider)},
                request=request,
            )
            if announce:
                subprocessor_change_schedule(
                    provider=provider, kind=SubprocessorChange.Kind.ADD, actor=actor, request=request
                )
    except IntegrityError:
        raise Conflict(_("A provider with this slug exists already."), code="slug_taken") from None
    return provider, secret


def provider_update(*, actor, provider: Provider, request=None, **values) -> Provider:
    """Change a provider's register entry (privacy officers). Only what
    differs is written and audited, old and new value side by side."""
    _require_privacy_officer(actor)
    values = _for_kind(provider.kind, values)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        before = _register_values(provider)
        if "fields" in values:
            values["fields"] = list(dict.fromkeys(values["fields"] or []))
        changed = {k: [before[k], v] for k, v in values.items() if before[k] != v}
        if not changed:
            return provider
        for key, (_old, new) in changed.items():
            setattr(provider, key, new)
        _provider_validate(provider)
        announced = _announce_subprocessor_change(provider, changed, actor=actor, request=request)
        for key in announced:  # these wait for the notice period
            setattr(provider, key, changed[key][0])
        applied = {k: v for k, v in changed.items() if k not in announced}
        if applied:
            provider.save(update_fields=[*applied, "updated_at"])
            audit_record(
                event_type=EventType.PROVIDER_CHANGED,
                actor=actor,
                target=provider,
                changes={"action": "updated", "provider": provider.slug, "changes": applied},
                request=request,
            )
    return provider


def _announce_subprocessor_change(provider: Provider, changed: dict, *, actor, request) -> set[str]:
    """For a sub-processor in use: what subscribers are told about is
    announced and waits for the notice period (the fields returned); taking
    one out of use is announced and applies at once; putting one back in use
    is announced like a new one. Anything else, and any provider not in use
    by customers (an integration, or a sub-processor not active yet), changes
    at once."""
    if provider.kind != Provider.Kind.SERVICE_PROVIDER:
        return set()
    was_active = changed.get("active", [provider.active])[0]
    if "active" in changed and not changed["active"][1]:
        subprocessor_change_schedule(
            provider=provider, kind=SubprocessorChange.Kind.REMOVE, actor=actor, request=request
        )
        return set()
    if "active" in changed and changed["active"][1]:
        waiting = {k: v for k, v in changed.items() if k != "active"}
        subprocessor_change_schedule(
            provider=provider, kind=SubprocessorChange.Kind.ADD, actor=actor, changed=waiting, request=request
        )
        return set(changed)
    if not was_active:
        return set()
    announced = {k: v for k, v in changed.items() if k in NOTICE_FIELDS}
    if announced:
        subprocessor_change_schedule(
            provider=provider,
            kind=SubprocessorChange.Kind.CHANGE,
            actor=actor,
            changed=announced,
            request=request,
        )
    return set(announced)


def provider_rotate_secret(*, actor, provider: Provider, request=None) -> tuple[Provider, str]:
    """A new signing secret for an integration (the old one stops at once);
    returned in clear this once."""
    _require_privacy_officer(actor)
    if not provider.is_integration:
        raise RuleViolation(_("Only integrations have a signing secret."), code="not_an_integration")
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        provider.signing_secret_sealed = secret_seal(secret)
        provider.save(update_fields=["signing_secret_sealed", "updated_at"])
        audit_record(
            event_type=EventType.PROVIDER_CHANGED,
            actor=actor,
            target=provider,
            changes={"action": "secret_rotated", "provider": provider.slug},
            request=request,
        )
    return provider, secret
