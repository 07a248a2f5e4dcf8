"""Teams and their members. Admins and owners manage every team, a team
admin only their own (``require_team_manager``)."""

import hashlib

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, Forbidden, RuleViolation

from ..models import Membership, Team, TeamMembership
from ..roles import Scope, TeamRole
from ..selectors import is_team_manager, require_scope
from ..signals import team_member_added


def require_team_manager(actor: Membership, team: Team) -> None:
    """Admins and owners manage every team; a team admin only their own (``is_team_manager``)."""
    if is_team_manager(membership=actor, team=team):
        return
    raise Forbidden(
        _("Only this team's admins and the organisation's admins manage it."), code="not_team_admin"
    )


def team_slug(name: str) -> str:
    """What makes two team names the same name: their slug. Any name is a
    name — "Design", "Växjö", "設計", "🚀" —: ASCII where the name has it,
    the name's own letters where it has none, and a hash of the name where it
    has no letters at all."""
    slug = slugify(name)[:60] or slugify(name, allow_unicode=True)[:60]
    return slug or "team-" + hashlib.sha256(name.strip().casefold().encode()).hexdigest()[:12]


def team_create(*, actor: Membership, name: str, request=None) -> Team:
    require_scope(actor, Scope.TEAMS_WRITE)
    organization = actor.organization
    slug = team_slug(name)
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
            team_member_added.send(sender=TeamMembership, team_membership=team_membership)
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
    slug = team_slug(name)
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
