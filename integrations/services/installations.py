"""Installing and removing integrations: adding one is the person's (or a team
manager's) consent to share the granted fields, and removing it stops all sharing."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.events import EventType
from audit.services import audit_record
from core.errors import Forbidden, RuleViolation
from core.tasks import enqueue_on_commit
from organizations.models import Membership, Team
from organizations.services import require_team_manager

from .. import tasks
from ..catalog import category_of
from ..models import Installation, Provider, WebhookDelivery
from .sharing import share_with_integration


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
