"""Sharing data with providers: what an installation shares about the people it
covers (one signed delivery and one SharingEvent per person, in the caller's
transaction), keeping integrations current when a profile changes, and the log
of what service providers acting for iCentrex receive."""

import hashlib
import hmac

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.tasks import enqueue_on_commit
from organizations.models import Membership, TeamMembership
from subjects.models import SubjectLink
from subjects.services import subject_links_ensure

from .. import tasks
from ..catalog import categories_of
from ..models import Installation, Provider, SharingEvent, WebhookDelivery


def _categories_text(fields) -> str:
    return "," + ",".join(categories_of(fields)) + ","


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
_PROFILE_FIELDS = {"name": "identity.name", "email": "identity.email", "language": "profile.language"}


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


def share_with_team_newcomer(*, team_membership) -> int:
    """A team's integrations share what they were granted with a member who
    joins the team later, as they did with everyone at installation: one
    delivery per installation, one sharing event each. Call it in the
    transaction that adds the member. Returns the deliveries."""
    installations = Installation.objects.filter(
        team_id=team_membership.team_id, status=Installation.Status.ACTIVE
    ).select_related("provider", "installed_by", "organization", "team")
    return sum(
        share_with_integration(installation=installation, only_user=team_membership.membership.user)
        is not None
        for installation in installations
    )


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
