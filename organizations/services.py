from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import normalize_email_address
from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, Forbidden, RuleViolation
from core.tasks import enqueue_on_commit

from . import tasks
from .models import DataPolicy, Invitation, Membership, Organization, Team, TeamMembership
from .roles import OrgRole, Scope, TeamRole, role_can_grant, role_has_scope
from .selectors import (
    data_policy_for,
    is_team_manager,
    member_data_record,
    organizations_blocking_account_deletion,
    require_scope,
)


def _lock(*memberships: Membership) -> list[Membership]:
    """Row-lock memberships in id order (a fixed order, so two concurrent changes
    cannot deadlock) and return them fresh, in the order asked (the same row may
    be asked for twice, e.g. when someone changes their own role)."""
    ids = [m.pk for m in memberships]
    locked = {m.pk: m for m in Membership.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if len(locked) != len(set(ids)):
        raise Conflict(_("The membership no longer exists."), code="membership_gone")
    return [locked[pk] for pk in ids]


def organization_create(*, actor, name: str, slug: str = "", request=None) -> Organization:
    """A new organisation with the actor as its primary owner."""
    slug = slugify(slug or name)[:60]
    if not slug:
        raise RuleViolation(_("The name needs at least one letter or digit."), code="invalid_slug")
    try:
        with transaction.atomic():
            organization = Organization.objects.create(name=name, slug=slug)
            Membership.objects.create(
                organization=organization, user=actor, role=OrgRole.OWNER, is_primary_owner=True
            )
            audit_record(
                event_type=EventType.ORG_CREATED,
                actor=actor,
                organization_id=organization.pk,
                target=organization,
                changes={"name": name, "slug": slug},
                request=request,
            )
    except IntegrityError:
        raise Conflict(_("That short name is taken."), code="slug_taken") from None
    return organization


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


def _other_owners(member: Membership) -> int:
    return (
        Membership.objects.filter(organization_id=member.organization_id, role=OrgRole.OWNER)
        .exclude(pk=member.pk)
        .count()
    )


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


def require_team_manager(actor: Membership, team: Team) -> None:
    """Admins and owners manage every team; a team admin only their own (``is_team_manager``)."""
    if is_team_manager(membership=actor, team=team):
        return
    raise Forbidden(
        _("Only this team's admins and the organisation's admins manage it."), code="not_team_admin"
    )


def team_create(*, actor: Membership, name: str, request=None) -> Team:
    require_scope(actor, Scope.TEAMS_WRITE)
    organization = actor.organization
    slug = slugify(name)[:60]
    if not slug:
        raise RuleViolation(_("The name needs at least one letter or digit."), code="invalid_slug")
    try:
        with transaction.atomic():
            team = Team.objects.create(organization=organization, name=name, slug=slug)
            audit_record(
                event_type=EventType.TEAM_CREATED,
                actor=actor.user,
                organization_id=organization.pk,
                target=team,
                changes={"name": name},
                request=request,
            )
    except IntegrityError:
        raise Conflict(_("A team with that name exists."), code="team_exists") from None
    return team


def team_member_add(
    *, actor: Membership, team: Team, member: Membership, role: str = TeamRole.MEMBER, request=None
) -> TeamMembership:
    if member.organization_id != team.organization_id:
        raise RuleViolation(_("That person is not in this organisation."), code="not_a_member")
    require_team_manager(actor, team)
    try:
        with transaction.atomic():
            team_membership = TeamMembership.objects.create(team=team, membership=member, role=role)
            audit_record(
                event_type=EventType.TEAM_MEMBER_ADDED,
                actor=actor.user,
                subject=member.user,
                organization_id=team.organization_id,
                target=team_membership,
                changes={"team": team.name, "role": role},
                request=request,
            )
    except IntegrityError:
        raise Conflict(_("Already in this team."), code="already_in_team") from None
    return team_membership


def team_member_change_role(*, actor: Membership, team_membership: TeamMembership, role: str, request=None):
    with transaction.atomic():
        team_membership = (
            TeamMembership.objects.select_for_update()
            .select_related("team", "membership__user")
            .get(pk=team_membership.pk)
        )
        require_team_manager(actor, team_membership.team)
        if team_membership.role == role:
            return team_membership
        old = team_membership.role
        team_membership.role = role
        team_membership.save(update_fields=["role"])
        audit_record(
            event_type=EventType.TEAM_MEMBER_ROLE_CHANGED,
            actor=actor.user,
            subject=team_membership.membership.user,
            organization_id=team_membership.team.organization_id,
            target=team_membership,
            changes={"team": team_membership.team.name, "role": [old, role]},
            request=request,
        )
    return team_membership


def team_member_remove(*, actor: Membership, team_membership: TeamMembership, request=None) -> None:
    with transaction.atomic():
        team = team_membership.team
        require_team_manager(actor, team)
        audit_record(
            event_type=EventType.TEAM_MEMBER_REMOVED,
            actor=actor.user,
            subject=team_membership.membership.user,
            organization_id=team.organization_id,
            target=team_membership,
            changes={"team": team.name},
            request=request,
        )
        team_membership.delete()


def team_rename(*, actor: Membership, team: Team, name: str, request=None) -> Team:
    require_scope(actor, Scope.TEAMS_WRITE)
    slug = slugify(name)[:60]
    if not slug:
        raise RuleViolation(_("The name needs at least one letter or digit."), code="invalid_slug")
    if team.name == name:
        return team
    try:
        with transaction.atomic():
            old = team.name
            team.name, team.slug = name, slug
            team.save(update_fields=["name", "slug"])
            audit_record(
                event_type=EventType.TEAM_RENAMED,
                actor=actor.user,
                organization_id=team.organization_id,
                target=team,
                changes={"name": [old, name]},
                request=request,
            )
    except IntegrityError:
        raise Conflict(_("A team with that name exists."), code="team_exists") from None
    return team


def team_delete(*, actor: Membership, team: Team, request=None) -> None:
    require_scope(actor, Scope.TEAMS_WRITE)
    with transaction.atomic():
        audit_record(
            event_type=EventType.TEAM_DELETED,
            actor=actor.user,
            organization_id=team.organization_id,
            target=team,
            changes={"name": team.name},
            request=request,
        )
        team.delete()


def organization_rename(*, actor: Membership, name: str, request=None) -> Organization:
    require_scope(actor, Scope.SETTINGS_WRITE)
    organization = actor.organization
    if organization.name == name:
        return organization
    with transaction.atomic():
        old = organization.name
        organization.name = name
        organization.save(update_fields=["name"])
        audit_record(
            event_type=EventType.ORG_RENAMED,
            actor=actor.user,
            organization_id=organization.pk,
            target=organization,
            changes={"name": [old, name]},
            request=request,
        )
    return organization


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


DATA_POLICY_FIELDS = ("retention_days", "review_allowed_for", "notify_member_on_review", "export_allowed_for")


def data_policy_update(*, actor: Membership, request=None, **values) -> DataPolicy:
    """Owners change the organisation's data policy; every change is audited."""
    require_scope(actor, Scope.SETTINGS_WRITE)
    unknown = set(values) - set(DATA_POLICY_FIELDS)
    if unknown:
        raise RuleViolation(_("Unknown policy field."), code="invalid")
    days = values.get("retention_days")
    if days is not None and days < 1:
        # The database's check (org_data_policy_retention_positive) would refuse it with a 500.
        raise RuleViolation(
            _("Keep member content for at least one day, or leave it empty to keep it until deleted."),
            code="retention_too_short",
        )
    with transaction.atomic():
        policy, _created = DataPolicy.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id
        )
        changes = {
            field: [getattr(policy, field), value]
            for field, value in values.items()
            if getattr(policy, field) != value
        }
        if not changes:
            return policy
        for field, (_old, new) in changes.items():
            setattr(policy, field, new)
        policy.save()
        audit_record(
            event_type=EventType.DATA_POLICY_CHANGED,
            actor=actor.user,
            organization_id=actor.organization_id,
            target=policy,
            changes=changes,
            request=request,
        )
    return policy


def member_data_review(*, actor: Membership, member: Membership, reason: str, request=None) -> dict:
    """Open a member's data record, where the organisation's policy allows it.
    The review and its reason are audited; the member is told if the policy says so."""
    require_scope(actor, Scope.MEMBER_DATA_REVIEW)
    policy = data_policy_for(organization=actor.organization)
    if not policy.allows("review_allowed_for", actor.role):
        raise Forbidden(
            _("The organisation's data policy does not allow you to review member data."),
            code="review_not_allowed",
        )
    if not role_can_grant(actor.role, member.role):
        raise Forbidden(_("You cannot review someone above your own role."), code="role_above_own")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise RuleViolation(
            _("Say why you review this member's data (at least 10 characters)."), code="reason_required"
        )
    with transaction.atomic():
        audit_record(
            event_type=EventType.MEMBER_DATA_REVIEWED,
            actor=actor.user,
            subject=member.user,
            organization_id=member.organization_id,
            target=member,
            changes={"member_notified": policy.notify_member_on_review},
            personal_changes={"reason": reason},
            request=request,
        )
    return member_data_record(member=member)


def memberships_end_for_deleted_account(*, actor, user, request=None) -> dict:
    """Take an account iCentrex staff are deleting out of every organisation,
    keeping the rule that an organisation always has an owner. ``actor`` is the
    staff member; the caller has checked they may delete accounts.

    - An ordinary membership ends, as if an admin had removed it.
    - A primary owner's primary ownership passes to the longest-standing other
      owner (who already holds every owner right, so nobody gains a role), then
      the membership ends.
    - An organisation the person is the only member of is deleted with them:
      nobody else has a claim to it, and it would be left without an owner.
    - Where the person is the only owner and others are members, nothing
      changes and Conflict names those organisations: choosing a new owner is
      the organisation's decision, not iCentrex's.
    """
    with transaction.atomic():
        memberships = list(
            Membership.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(user=user)
            .order_by("pk")
        )
        blocking = [org.name for org in organizations_blocking_account_deletion(user=user)]
        if blocking:
            raise Conflict(
                _(
                    "The account is the only owner of %(names)s, which has other members. "
                    "The organisation must get another owner first."
                )
                % {"names": ", ".join(blocking)},
                code="sole_owner",
            )
        summary = {"memberships_removed": 0, "primary_ownership_passed_on": 0, "organizations_deleted": 0}
        for membership in memberships:
            others = Membership.objects.filter(organization_id=membership.organization_id).exclude(
                pk=membership.pk
            )
            if not others.exists():
                _organization_delete(actor=actor, organization=membership.organization, request=request)
                summary["organizations_deleted"] += 1
                continue
            if membership.is_primary_owner:
                _pass_on_primary_ownership(actor=actor, membership=membership, others=others, request=request)
                summary["primary_ownership_passed_on"] += 1
            audit_record(
                event_type=EventType.ORG_MEMBER_REMOVED,
                actor=actor,
                subject=user,
                organization_id=membership.organization_id,
                target=membership,
                changes={"role": membership.role, "account_deleted": True},
                request=request,
            )
            membership.delete()
            summary["memberships_removed"] += 1
    return summary


def _pass_on_primary_ownership(*, actor, membership: Membership, others, request=None) -> None:
    successor = (
        others.select_for_update(of=("self",))
        .select_related("user")
        .filter(role=OrgRole.OWNER)
        .order_by("joined_at", "pk")
        .first()
    )
    if successor is None:  # the other owner left since organizations_blocking_account_deletion looked
        raise Conflict(_("The organisation must get another owner first."), code="sole_owner")
    # One primary owner per organisation (a constraint): the old flag goes first.
    membership.is_primary_owner = False
    membership.save(update_fields=["is_primary_owner"])
    successor.is_primary_owner = True
    successor.save(update_fields=["is_primary_owner"])
    audit_record(
        event_type=EventType.ORG_OWNERSHIP_TRANSFERRED,
        actor=actor,
        subject=successor.user,
        organization_id=successor.organization_id,
        target=successor,
        changes={"primary_owner": True, "account_deleted": True},
        request=request,
    )


def _organization_delete(*, actor, organization: Organization, request=None) -> None:
    """Delete an organisation with everything in it (teams, invitations, its data
    policy, export records); the export files go once the deletion commits."""
    files = [name for name in organization.exports.exclude(file="").values_list("file", flat=True)]
    audit_record(
        event_type=EventType.ORG_DELETED,
        actor=actor,
        organization_id=organization.pk,
        target=organization,
        changes={"last_member_deleted": True},
        request=request,
    )
    organization.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


def person_erase_organization_data(*, user, addresses: list[str]) -> dict:
    """What erasure does to the organisations' records about a person (after
    their memberships ended): invitations to their addresses go; invitations
    they sent stay with the organisation, no longer linked to them
    (core.register). Domain claims and disclosures: domains.services."""
    with transaction.atomic():
        return {
            "invitations_deleted": Invitation.objects.filter(email__in=addresses).delete()[0],
            "invitations_unlinked": Invitation.objects.filter(invited_by=user).update(invited_by=None),
        }
