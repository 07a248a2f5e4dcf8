"""Invitations: sent by those who may invite, answered by their addressee
alone (by a verified address), emailed after commit (tasks.invitation_send)."""

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import normalize_email_address
from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, Forbidden
from core.tasks import enqueue_on_commit

from .. import tasks
from ..models import Invitation, Membership
from ..roles import Scope, role_can_grant
from ..selectors import require_scope


def invitation_create(*, actor: Membership, email: str, role: str, request=None) -> Invitation:
    email = normalize_email_address(email)
    require_scope(actor, Scope.INVITATIONS_WRITE)
    if not role_can_grant(actor.role, role):
        raise Forbidden(_("You cannot invite someone to a role above your own."), code="role_above_own")
    if Membership.objects.filter(organization_id=actor.organization_id, user__email__iexact=email).exists():
        raise Conflict(_("This person is already a member."), code="already_member")
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organization_id=actor.organization_id, email=email, role=role, invited_by=actor.user
            )
            audit_record(
                event_type=EventType.INVITATION_CREATED,
                actor=actor.user,
                organization_id=actor.organization_id,
                target=invitation,
                changes={"role": role},
                # The invitee may have no account yet: their address is sealed under
                # the inviter's key, so it is kept as evidence without being readable by all.
                personal_changes={"email": email},
                request=request,
            )
            enqueue_on_commit(tasks.invitation_send, invitation.pk)
    except IntegrityError:
        raise Conflict(_("This address already has a pending invitation."), code="already_invited") from None
    return invitation


def _pending_invitation_for(*, user, invitation: Invitation) -> Invitation:
    """Lock the invitation; only its addressee, by a verified address, may answer it."""
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    verified = EmailAddress.objects.filter(user=user, verified=True, email__iexact=invitation.email).exists()
    if not verified:
        raise Http404  # someone else's invitation looks like no invitation
    if invitation.status != Invitation.Status.PENDING:
        raise Conflict(_("This invitation was already answered or withdrawn."), code="invitation_closed")
    if invitation.is_expired:
        raise Conflict(_("This invitation has expired. Ask for a new one."), code="invitation_expired")
    return invitation


def invitation_accept(*, user, invitation: Invitation, request=None) -> Membership:
    with transaction.atomic():
        invitation = _pending_invitation_for(user=user, invitation=invitation)
        if Membership.objects.filter(organization_id=invitation.organization_id, user=user).exists():
            raise Conflict(_("You are already a member."), code="already_member")
        invitation.status, invitation.responded_at = Invitation.Status.ACCEPTED, timezone.now()
        invitation.save(update_fields=["status", "responded_at"])
        membership = Membership.objects.create(
            organization_id=invitation.organization_id, user=user, role=invitation.role
        )
        audit_record(
            event_type=EventType.INVITATION_ACCEPTED,
            actor=user,
            organization_id=invitation.organization_id,
            target=membership,
            changes={"role": invitation.role, "invitation": str(invitation.public_id)},
            request=request,
        )
    return membership


def invitation_decline(*, user, invitation: Invitation, request=None) -> Invitation:
    with transaction.atomic():
        invitation = _pending_invitation_for(user=user, invitation=invitation)
        invitation.status, invitation.responded_at = Invitation.Status.DECLINED, timezone.now()
        invitation.save(update_fields=["status", "responded_at"])
        audit_record(
            event_type=EventType.INVITATION_DECLINED,
            actor=user,
            organization_id=invitation.organization_id,
            target=invitation,
            request=request,
        )
    return invitation


def invitation_revoke(*, actor: Membership, invitation: Invitation, request=None) -> Invitation:
    require_scope(actor, Scope.INVITATIONS_WRITE)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != Invitation.Status.PENDING:
            raise Conflict(_("Only pending invitations can be revoked."), code="invitation_closed")
        invitation.status, invitation.responded_at = Invitation.Status.REVOKED, timezone.now()
        invitation.save(update_fields=["status", "responded_at"])
        audit_record(
            event_type=EventType.INVITATION_REVOKED,
            actor=actor.user,
            organization_id=invitation.organization_id,
            target=invitation,
            request=request,
        )
    return invitation
