"""Installing and removing integrations, sharing data with providers, and
delivering it as signed webhooks. Every share writes its SharingEvents in the
transaction of the action that causes it; delivery happens after commit."""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import time
import uuid
from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.staff_roles import StaffPermission, require_staff_permission
from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, Forbidden, RuleViolation
from core.tasks import enqueue_on_commit
from organizations.models import Membership, Team, TeamMembership
from organizations.services import require_team_manager
from subjects.models import SubjectLink
from subjects.services import secret_seal, secret_unseal, subject_links_ensure

from . import tasks
from .catalog import FIELDS, categories_of, category_of
from .models import Installation, Provider, SharingEvent, WebhookDelivery

logger = logging.getLogger(__name__)


def _categories_text(fields) -> str:
    return "," + ",".join(categories_of(fields)) + ","


def installation_create(
    *,
    user,
    provider: Provider,
    fields: list[str],
    membership: Membership | None = None,
    team: Team | None = None,
    request=None,
) -> Installation:
    """Add an integration for oneself (``team`` None; with ``membership``, in
    that organisation) or for a team, granting ``fields`` — which must be
    fields the provider declares. Shares the granted data at once."""
    if not provider.is_integration or not provider.active:
        raise RuleViolation(_("This provider cannot be added as an integration."), code="not_an_integration")
    fields = list(dict.fromkeys(fields))
    if not fields:
        raise RuleViolation(_("Choose at least one thing to share."), code="no_fields")
    undeclared = sorted(set(fields) - set(provider.fields))
    if undeclared:
        raise RuleViolation(
            _("%(provider)s does not declare these fields: %(fields)s.")
            % {"provider": provider.name, "fields": ", ".join(undeclared)},
            code="undeclared_fields",
        )
    if team is None and any(category_of(f) == "team" for f in fields):
        raise RuleViolation(
            _("Team fields can only be shared by installing for a team."), code="team_fields_need_team"
        )
    if team is None and membership is None and any(category_of(f) == "organisation" for f in fields):
        raise RuleViolation(
            _("Organisation fields can only be shared by installing in an organisation."),
            code="org_fields_need_org",
        )
    if team is not None:
        if membership is None or team.organization_id != membership.organization_id:
            raise Forbidden(_("This team is not in your organisation."), code="not_team_admin")
        require_team_manager(membership, team)
    with transaction.atomic():
        installation = Installation.objects.create(
            provider=provider,
            installed_by=user,
            organization=membership.organization if membership else None,
            team=team,
            audience=Installation.Audience.TEAM if team else Installation.Audience.ME,
            granted_fields=fields,
        )
        audit_record(
            event_type=EventType.INTEGRATION_INSTALLED,
            actor=user,
            organization_id=installation.organization_id,
            target=installation,
            changes={
                "provider": provider.slug,
                "audience": installation.audience,
                "fields": fields,
                "team": team.pk if team else None,
            },
            request=request,
        )
        share_with_integration(installation=installation)
    return installation


def installation_remove(
    *, user, installation: Installation, membership: Membership | None = None, request=None
):
    """Stop all sharing: the installation is removed, deliveries not yet made
    are cancelled, and the provider is told (a webhook with no personal data)."""
    if installation.team_id:
        if membership is None or membership.organization_id != installation.organization_id:
            raise Forbidden(_("This team is not in your organisation."), code="not_team_admin")
        require_team_manager(membership, installation.team)
    elif installation.installed_by_id != user.pk:
        raise Forbidden(_("Only the person who added it can remove it."), code="not_yours")
    with transaction.atomic():
        installation = Installation.objects.select_for_update().get(pk=installation.pk)
        if installation.status == Installation.Status.REMOVED:
            return installation
        installation.status = Installation.Status.REMOVED
        installation.removed_at = timezone.now()
        installation.save(update_fields=["status", "removed_at"])
        installation.deliveries.filter(
            kind=WebhookDelivery.Kind.DATA_SHARED,
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.DELIVERING],
        ).update(status=WebhookDelivery.Status.FAILED, last_error="Cancelled: the integration was removed.")
        delivery = WebhookDelivery.objects.create(
            installation=installation,
            kind=WebhookDelivery.Kind.INSTALLATION_REMOVED,
            payload={"installation": str(installation.public_id)},
        )
        audit_record(
            event_type=EventType.INTEGRATION_REMOVED,
            actor=user,
            organization_id=installation.organization_id,
            target=installation,
            changes={"provider": installation.provider.slug},
            request=request,
        )
        enqueue_on_commit(tasks.webhook_deliver, delivery.pk)
    return installation


def _people_of(installation: Installation) -> list[tuple]:
    """(user, organisation membership, team membership) of everyone it covers."""
    if installation.team_id is None:
        membership = (
            Membership.objects.filter(
                organization_id=installation.organization_id, user=installation.installed_by
            )
            .select_related("organization")
            .first()
            if installation.organization_id
            else None
        )
        return [(installation.installed_by, membership, None)]
    members = (
        TeamMembership.objects.filter(team_id=installation.team_id)
        .select_related("membership__user", "membership__organization", "team")
        .order_by("pk")
    )
    return [(tm.membership.user, tm.membership, tm) for tm in members]


def _pseudonymous_id(installation: Installation, subject_key) -> str:
    # Different for every installation, so providers cannot link people across integrations.
    return hmac.new(installation.public_id.bytes, subject_key.bytes, hashlib.sha256).hexdigest()[:32]


def _values(field: str, *, installation, user, subject_key, membership, team_membership):
    return {
        "identity.id": lambda: _pseudonymous_id(installation, subject_key),
        "identity.name": lambda: user.name,
        "identity.email": lambda: user.email,
        "profile.language": lambda: user.language or settings.LANGUAGE_CODE,
        "profile.joined": lambda: user.date_joined.isoformat(),
        "organisation.name": lambda: membership.organization.name if membership else None,
        "organisation.role": lambda: membership.role if membership else None,
        "team.name": lambda: team_membership.team.name if team_membership else None,
        "team.role": lambda: team_membership.role if team_membership else None,
    }[field]()


def share_with_integration(
    *, installation: Installation, only_user=None, fields: list[str] | None = None
) -> WebhookDelivery | None:
    """Share granted fields (all, or ``fields``) about everyone the installation
    covers (or only ``only_user``): one delivery (the signed webhook) and one
    SharingEvent per person, in the caller's transaction; the delivery is
    enqueued after commit."""
    people = [
        p
        for p in _people_of(installation)
        if p[0] is not None and p[0].is_active and (only_user is None or p[0].pk == only_user.pk)
    ]
    if not people:
        return None
    subject_links_ensure(user_ids=[user.pk for user, _m, _t in people])
    keys = dict(
        SubjectLink.objects.filter(user_id__in=[u.pk for u, _m, _t in people]).values_list(
            "user_id", "subject_key"
        )
    )
    fields = fields or installation.granted_fields
    records = [
        {
            field: _values(
                field,
                installation=installation,
                user=user,
                subject_key=keys[user.pk],
                membership=membership,
                team_membership=tm,
            )
            for field in fields
        }
        for user, membership, tm in people
    ]
    delivery = WebhookDelivery.objects.create(
        installation=installation,
        kind=WebhookDelivery.Kind.DATA_SHARED,
        payload={"installation": str(installation.public_id), "fields": fields, "people": records},
    )
    now = timezone.now()
    events = []
    for user, _membership, _tm in people:
        event = SharingEvent(
            provider=installation.provider,
            subject_key=keys[user.pk],
            organization_id=installation.organization_id,
            team_id=installation.team_id,
            installation_id=installation.public_id,
            delivery_id=delivery.pk,
            categories=_categories_text(fields),
            fields=fields,
            purpose=installation.provider.purpose,
            legal_basis=SharingEvent.LegalBasis.CONSENT,
            occurred_at=now,
        )
        event.record_hash = event.compute_hash()
        events.append(event)
    SharingEvent.objects.bulk_create(events)
    enqueue_on_commit(tasks.webhook_deliver, delivery.pk)
    return delivery


# Profile attributes -> the catalogue field that carries them.
_PROFILE_FIELDS = {"name": "identity.name", "language": "profile.language"}


def share_profile_change(*, user, changed: set[str]) -> int:
    """Keep integrations current: every active installation covering the
    person that was granted a changed field receives the new value (with the
    person's integration id, where granted, so the provider knows whom it is
    about). Call it in the transaction of the change. Returns the deliveries."""
    changed_fields = {_PROFILE_FIELDS[name] for name in changed if name in _PROFILE_FIELDS}
    if not changed_fields:
        return 0
    covering = (
        Installation.objects.filter(status=Installation.Status.ACTIVE)
        .filter(Q(installed_by=user, team__isnull=True) | Q(team__team_memberships__membership__user=user))
        .select_related("provider", "installed_by", "organization", "team")
        .distinct()
    )
    deliveries = 0
    for installation in covering:
        fields = [f for f in installation.granted_fields if f in changed_fields]
        if fields:
            if "identity.id" in installation.granted_fields:
                fields = ["identity.id", *fields]
            deliveries += (
                share_with_integration(installation=installation, only_user=user, fields=fields) is not None
            )
    return deliveries


def processor_shares_record(*, provider_slug: str, subject_keys, fields: list[str], purpose: str) -> int:
    """Log data handed to a service provider acting for iCentrex (e.g. the email
    vendor for each notice email). Call it inside the transaction of the share."""
    provider = Provider.objects.filter(slug=provider_slug, kind=Provider.Kind.SERVICE_PROVIDER).first()
    if provider is None or not subject_keys:
        return 0
    now = timezone.now()
    events = []
    for key in subject_keys:
        event = SharingEvent(
            provider=provider,
            subject_key=key,
            categories=_categories_text(fields),
            fields=fields,
            purpose=purpose,
            legal_basis=SharingEvent.LegalBasis.CONTRACT,
            occurred_at=now,
        )
        event.record_hash = event.compute_hash()
        events.append(event)
    SharingEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


# --- Erasure (issue 9) -----------------------------------------------------------------

_ERASED_RECORD = {"erased": True}


def person_erase_integration_data(*, user, subject_key) -> dict:
    """What erasure does to integrations (core.register): the person's
    own integrations are removed (the provider is told, without personal data);
    the integrations they added for a team stay with the team; none stays linked
    to them; and their record inside every delivery's content is replaced by a
    note that they were erased. The sharing events stay (evidence, unlinked)."""
    counts = {"integrations_removed": 0}
    for installation in Installation.objects.filter(
        installed_by=user, audience=Installation.Audience.ME, status=Installation.Status.ACTIVE
    ):
        installation_remove(user=user, installation=installation)
        counts["integrations_removed"] += 1
    with transaction.atomic():
        counts["integrations_unlinked"] = Installation.objects.filter(installed_by=user).update(
            installed_by=None
        )
        counts["delivery_records_erased"] = _delivery_records_erase(subject_key=subject_key)
    return counts


def _delivery_records_erase(*, subject_key) -> int:
    """A delivery's ``people`` are in the order of its sharing events (one per
    person, written together): the person's event's rank is their record's place."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH mine AS (
                    SELECT DISTINCT installation_id, delivery_id FROM integrations_sharingevent
                    WHERE subject_key = %(key)s AND delivery_id IS NOT NULL
                ), ranked AS (
                    SELECT e.delivery_id, e.subject_key,
                           row_number() OVER (PARTITION BY e.delivery_id ORDER BY e.seq) - 1 AS place
                    FROM integrations_sharingevent e
                    JOIN mine m ON e.installation_id = m.installation_id AND e.delivery_id = m.delivery_id
                )
                UPDATE integrations_webhookdelivery d
                SET payload = jsonb_set(d.payload, ARRAY['people', r.place::text], %(erased)s::jsonb, false)
                FROM ranked r
                WHERE r.subject_key = %(key)s AND d.id = r.delivery_id AND d.kind = %(kind)s
                """,
                {
                    "key": subject_key,
                    "erased": json.dumps(_ERASED_RECORD),
                    "kind": WebhookDelivery.Kind.DATA_SHARED,
                },
            )
            return cursor.rowcount
    delivery_ids = sorted(
        set(
            SharingEvent.objects.filter(subject_key=subject_key, delivery_id__isnull=False).values_list(
                "delivery_id", flat=True
            )
        )
    )
    erased = 0
    for start in range(0, len(delivery_ids), 500):
        chunk = delivery_ids[start : start + 500]
        places: dict[int, int] = {}
        seen: dict[int, int] = {}
        for delivery_id, key in (
            SharingEvent.objects.filter(delivery_id__in=chunk)
            .order_by("seq")
            .values_list("delivery_id", "subject_key")
        ):
            if key == subject_key:
                places[delivery_id] = seen.get(delivery_id, 0)
            seen[delivery_id] = seen.get(delivery_id, 0) + 1
        for delivery in WebhookDelivery.objects.filter(pk__in=chunk, kind=WebhookDelivery.Kind.DATA_SHARED):
            delivery.payload["people"][places[delivery.pk]] = _ERASED_RECORD
            delivery.save(update_fields=["payload"])
            erased += 1
    return erased


# --- Provider register (staff) ------------------------------------------------------

# What a privacy officer may set, by kind; the rest stays blank for that kind.
_COMMON_FIELDS = ("name", "description", "purpose", "fields", "active")
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
    provider = Provider(kind=kind, slug=slug, **_for_kind(kind, values))
    provider.fields = list(dict.fromkeys(provider.fields or []))
    _provider_validate(provider)
    secret = secrets.token_urlsafe(32) if provider.is_integration else None
    if secret:
        provider.signing_secret_sealed = secret_seal(secret)
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
        provider.save(update_fields=[*changed, "updated_at"])
        audit_record(
            event_type=EventType.PROVIDER_CHANGED,
            actor=actor,
            target=provider,
            changes={"action": "updated", "provider": provider.slug, "changes": changed},
            request=request,
        )
    return provider


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


# --- Delivery ----------------------------------------------------------------------


def _enqueue_delivery(delivery_id: int, countdown: float = 0) -> None:
    tasks.webhook_deliver.apply_async((delivery_id,), countdown=countdown)


_session = None


def _http():
    """One keep-alive session per process: connection reuse matters at hundreds of deliveries a second."""
    global _session
    if _session is None:
        _session = requests.Session()
    return _session


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>": the receiver checks both, so a
    captured request cannot be replayed later with a new timestamp."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


_CLAIM = """
    UPDATE integrations_webhookdelivery
       SET status = 'delivering', claimed_at = %(now)s
      FROM integrations_installation AS i, integrations_provider AS p
     WHERE integrations_webhookdelivery.id = %(id)s
       AND integrations_webhookdelivery.status = 'pending'
       AND (integrations_webhookdelivery.next_attempt_at IS NULL
            OR integrations_webhookdelivery.next_attempt_at <= %(now)s)
       AND i.id = integrations_webhookdelivery.installation_id AND p.id = i.provider_id
 RETURNING integrations_webhookdelivery.idempotency_key, integrations_webhookdelivery.kind,
           integrations_webhookdelivery.payload, integrations_webhookdelivery.created_at,
           integrations_webhookdelivery.attempts, p.webhook_url, p.signing_secret_sealed
"""


def _claim(delivery_id: int, now):
    if connection.vendor == "postgresql":  # one round trip on the hot path
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM, {"id": delivery_id, "now": now})
            return cursor.fetchone()
    # SQLite's RETURNING cannot name joined tables: claim, then read.
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .exclude(next_attempt_at__gt=now)
        .update(status=WebhookDelivery.Status.DELIVERING, claimed_at=now)
    )
    if not claimed:
        return None
    return (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .values_list(
            "idempotency_key",
            "kind",
            "payload",
            "created_at",
            "attempts",
            "installation__provider__webhook_url",
            "installation__provider__signing_secret_sealed",
        )
        .first()
    )


@lru_cache(maxsize=256)
def _signing_secret(sealed: str) -> str:
    return secret_unseal(sealed)


def webhook_deliver_once(*, delivery_id: int) -> float | None:
    """Attempt one delivery. Returns seconds until the next attempt when it
    must be retried, else None (delivered, failed for good, or not ours to do:
    another task holds it or it is already done).

    The claim is one conditional UPDATE (pending and due -> delivering) that
    also returns what the request needs: whoever's UPDATE matches owns the
    attempt, so concurrent or duplicated tasks never both send."""
    now = timezone.now()
    claimed = _claim(delivery_id, now)
    if claimed is None:
        due = (
            WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        return (due - now).total_seconds() if due and due > now else None
    key, kind, payload, created_at, attempts, url, sealed_secret = claimed
    if isinstance(payload, str):  # SQLite returns JSON as text
        payload = json.loads(payload)
    key = uuid.UUID(str(key))
    body = json.dumps(
        {"id": str(key), "type": kind, "created": _iso(created_at), "data": payload},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    timestamp = int(time.time())
    signature = webhook_signature(_signing_secret(sealed_secret), timestamp, body)
    error = ""
    try:
        response = _http().post(
            url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "iCentrex-Webhooks/1",
                "Idempotency-Key": str(key),
                "X-iCentrex-Signature": f"t={timestamp},v1={signature}",
            },
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        if not 200 <= response.status_code < 300:
            error = f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:300]
    return _delivery_outcome(delivery_id, attempts + 1, error)


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _delivery_outcome(delivery_id: int, attempts: int, error: str) -> float | None:
    now = timezone.now()
    retry_in = None
    change = {"attempts": attempts, "last_error": error}
    if not error:
        change.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now)
    elif attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        change.update(status=WebhookDelivery.Status.FAILED)
        logger.warning("webhook delivery %s failed for good: %s", delivery_id, error)
    else:
        retry_in = settings.WEBHOOK_RETRY_SECONDS * 2 ** (attempts - 1)
        change.update(
            status=WebhookDelivery.Status.PENDING, next_attempt_at=now + timedelta(seconds=retry_in)
        )
    # Only if still ours: removing the installation may have cancelled it meanwhile.
    WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.DELIVERING).update(**change)
    return retry_in


def webhook_sweep(*, stale_after: timedelta | None = None) -> dict:
    """Celery beat: deliveries a dead worker left "delivering" go back to
    pending (sent again with the same idempotency key), and pending ones that
    are due are enqueued again (a lost message). Duplicated tasks are harmless."""
    stale_after = (
        stale_after if stale_after is not None else timedelta(seconds=settings.WEBHOOK_STALE_SECONDS)
    )
    before = timezone.now() - stale_after
    released = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.DELIVERING, claimed_at__lte=before
    ).update(status=WebhookDelivery.Status.PENDING)
    due = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, created_at__lte=before)
        .exclude(next_attempt_at__gt=timezone.now())
        .values_list("pk", flat=True)[:10_000]
    )
    for delivery_id in due:
        _enqueue_delivery(delivery_id)
    return {"released": released, "enqueued": len(due)}
