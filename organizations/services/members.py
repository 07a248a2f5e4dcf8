"""Members and their roles: changing a role, removing a member (or leaving),
and handing on primary ownership. Memberships are row-locked in id order
(``_lock``), and an organisation always keeps an owner."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, Forbidden, RuleViolation

from ..models import Membership
from ..roles import OrgRole, Scope, role_can_grant, role_has_scope
from ..selectors import require_scope


def _lock(*memberships: Membership) -> list[Membership]:
    """Row-lock memberships in id order (a fixed order, so two concurrent changes
    cannot deadlock) and return them fresh, in the order asked (the same row may
    be asked for twice, e.g. when someone changes their own role)."""
    ids = [m.pk for m in memberships]
    locked = {m.pk: m for m in Membership.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if len(locked) != len(set(ids)):
        raise Conflict(_("The membership no longer exists."), code="membership_gone")
    return [locked[pk] for pk in ids]


def _other_owners(member: Membership) -> int:
    return (
        Membership.objects.filter(organization_id=member.organization_id, role=OrgRole.OWNER)
        .exclude(pk=member.pk)
        .count()
    )


def membership_change_role(*, actor: Membership, member: Membership, role: str, request=None) -> Membership:
    if role not in OrgRole.values:
        raise RuleViolation(_("Unknown role."), code="invalid_role")
    with transaction.atomic():
        actor, member = _lock(actor, member)
        require_scope(actor, Scope.MEMBERS_WRITE)
        if not (role_can_grant(actor.role, role) and role_can_grant(actor.role, member.role)):
            raise Forbidden(_("You cannot grant or change a role above your own."), code="role_above_own")
        if member.role == role:
            return member
        if member.is_primary_owner:
            raise Conflict(
                _("The primary owner's role changes only by transferring ownership."), code="primary_owner"
            )
        if member.role == OrgRole.OWNER and _other_owners(member) == 0:
            raise Conflict(_("An organisation needs at least one owner."), code="last_owner")
        old = member.role
        member.role = role
        member.save(update_fields=["role"])
        audit_record(
            event_type=EventType.ORG_MEMBER_ROLE_CHANGED,
            actor=actor.user,
            subject=member.user,
            organization_id=member.organization_id,
            target=member,
            changes={"role": [old, role]},
            request=request,
        )
    return member


def membership_remove(*, actor: Membership, member: Membership, request=None) -> None:
    """Remove a member, or leave when ``actor`` is ``member``."""
    leaving = actor.pk == member.pk
    with transaction.atomic():
        actor, member = _lock(actor, member)
        if not leaving:
            if not role_has_scope(actor.role, Scope.MEMBERS_WRITE):
                raise Forbidden(code="missing_scope")
            if not role_can_grant(actor.role, member.role):
                raise Forbidden(_("You cannot remove someone above your own role."), code="role_above_own")
        if member.is_primary_owner:
            raise Conflict(
                _("The primary owner must transfer ownership before leaving."), code="primary_owner"
            )
        if member.role == OrgRole.OWNER and _other_owners(member) == 0:
            raise Conflict(_("An organisation needs at least one owner."), code="last_owner")
        audit_record(
            event_type=EventType.ORG_MEMBER_LEFT if leaving else EventType.ORG_MEMBER_REMOVED,
            actor=actor.user,
            subject=member.user,
            organization_id=member.organization_id,
            target=member,
            changes={"role": member.role},
            request=request,
        )
        member.delete()


def organization_transfer_ownership(*, actor: Membership, to: Membership, request=None) -> Membership:
    """The primary owner hands primary ownership to another member, who becomes
    an owner; the previous primary owner stays an owner."""
    if actor.pk == to.pk:
        raise RuleViolation(_("You are already the primary owner."), code="same_member")
    with transaction.atomic():
        actor, to = _lock(actor, to)
        if not actor.is_primary_owner:
            raise Forbidden(_("Only the primary owner can transfer ownership."), code="not_primary_owner")
        old_role = to.role
        actor.is_primary_owner = False
        actor.save(update_fields=["is_primary_owner"])
        to.role, to.is_primary_owner = OrgRole.OWNER, True
        to.save(update_fields=["role", "is_primary_owner"])
        audit_record(
            event_type=EventType.ORG_OWNERSHIP_TRANSFERRED,
            actor=actor.user,
            subject=to.user,
            organization_id=to.organization_id,
            target=to,
            changes={"role": [old_role, OrgRole.OWNER], "primary_owner": True},
            request=request,
        )
    return to
