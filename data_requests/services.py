from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from audit.events import EventType
from audit.services import audit_record
from icentrex.errors import Conflict, Forbidden
from organizations.models import Membership
from organizations.roles import Scope
from organizations.selectors import data_policy_for, require_scope

from . import tasks
from .models import OrganizationExport


def organization_export_request(*, actor: Membership, format: str, request=None) -> OrganizationExport:
    """Start an export of the organisation's member data, where its data policy
    lets the actor's role export; the job runs in the background."""
    require_scope(actor, Scope.MEMBER_DATA_EXPORT)
    if not data_policy_for(organization=actor.organization).allows("export_allowed_for", actor.role):
        raise Forbidden(
            _("The organisation's data policy does not let your role export member data."),
            code="export_not_allowed",
        )
    try:
        with transaction.atomic():
            export = OrganizationExport.objects.create(
                organization_id=actor.organization_id, requested_by=actor.user, format=format
            )
            audit_record(
                event_type=EventType.MEMBER_DATA_EXPORTED,
                actor=actor.user,
                organization_id=actor.organization_id,
                target=export,
                changes={"format": format},
                request=request,
            )
            transaction.on_commit(lambda: tasks.organization_export_build.delay(export.pk))
    except IntegrityError:
        raise Conflict(
            _("An export is already being built. Wait for it to finish."), code="export_running"
        ) from None
    return export
