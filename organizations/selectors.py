"""Reads, and the tenant choke point: every organisation-scoped request starts
with ``access_membership`` and every query after it is filtered by the
organisation it returns."""

from allauth.account.models import EmailAddress
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.display import audit_details_text
from audit.events import EventType
from audit.models import AuditEvent
from audit.selectors import audit_events_readable
from core.errors import Forbidden
from subjects.selectors import subject_keys_to_users
from subjects.services import subject_key_for_user

from .models import DataPolicy, Invitation, Membership, Organization, Team, TeamMembership
from .roles import OrgRole, Scope, TeamRole, role_can_grant, role_has_scope


def access_membership(*, user, org_slug: str) -> Membership:
    """The user's membership of the organisation named in the URL. Not a member
    (or no such organisation): the same 404, so outsiders learn nothing."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Membership.objects.select_related("organization", "user"), organization__slug=org_slug, user=user
    )


def require_scope(membership: Membership, scope: Scope) -> None:
    """Members know the organisation exists, so lacking a scope is a 403."""
    if not role_has_scope(membership.role, scope):
        raise Forbidden(code="missing_scope")


def access_member_by_id(*, actor: Membership, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organization"),
        organization_id=actor.organization_id,
        pk=membership_id,
    )


def member_by_email(*, organization: Organization, email: str) -> Membership | None:
    return (
        Membership.objects.select_related("user", "organization")
        .filter(organization=organization, user__email__iexact=email.strip())
        .first()
    )


def organizations_blocking_account_deletion(*, user) -> QuerySet[Organization]:
    """Organisations where the person is the only owner while others are members:
    deleting the account there would leave the organisation without an owner,
    and only the organisation may choose a new one."""
    owned = Membership.objects.filter(user=user, role=OrgRole.OWNER).values("organization_id")
    return (
        Organization.objects.filter(pk__in=owned)
        .annotate(
            owners=Count("memberships", filter=Q(memberships__role=OrgRole.OWNER)),
            members=Count("memberships"),
        )
        .filter(owners=1, members__gt=1)
        .order_by("name")
    )


def organizations_blocking_erasure(*, user) -> QuerySet[Organization]:
    """Organisations where the person is the primary owner and others are
    members: they must transfer ownership before they can delete their account
    (an organisation of which they are the only member goes with them)."""
    primary = Membership.objects.filter(user=user, is_primary_owner=True).values("organization_id")
    return (
        Organization.objects.filter(pk__in=primary)
        .annotate(members=Count("memberships"))
        .filter(members__gt=1)
        .order_by("name")
    )


def organizations_deleted_with(*, user) -> QuerySet[Organization]:
    """Organisations whose only member is the person: deleting the account deletes them."""
    mine = Membership.objects.filter(user=user).values("organization_id")
    return (
        Organization.objects.filter(pk__in=mine)
        .annotate(members=Count("memberships"))
        .filter(members=1)
        .order_by("name")
    )


def memberships_for_user(*, user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")


def teams_visible_to(*, membership: Membership) -> QuerySet[Team]:
    """Every team of the organisation with ``teams:read_all``; without it (guests)
    only the teams the person is in."""
    teams = Team.objects.filter(organization_id=membership.organization_id)
    if not role_has_scope(membership.role, Scope.TEAMS_READ_ALL):
        teams = teams.filter(team_memberships__membership=membership)
    return teams


def teams_managed_by(*, membership: Membership) -> QuerySet[Team]:
    """The teams this person manages (adds and removes their members, changes
    team roles, adds integrations for them): every team of the organisation with
    ``teams:write`` (admins and owners); otherwise the teams they are a team
    admin of.

    The team-manager rule is written here and nowhere else (services, the
    console, integrations and their templates ask ``is_team_manager`` or this).
    It lives with the selectors, not in roles.py, because it reads the person's
    role in the team, a database row; roles.py is the table of roles and scopes,
    which needs no database (models import it)."""
    teams = Team.objects.filter(organization_id=membership.organization_id)
    if role_has_scope(membership.role, Scope.TEAMS_WRITE):
        return teams
    return teams.filter(team_memberships__membership=membership, team_memberships__role=TeamRole.TEAM_ADMIN)


def is_team_manager(*, membership: Membership, team: Team) -> bool:
    """Whether this person manages ``team`` (``teams_managed_by``); never a team
    of another organisation."""
    return teams_managed_by(membership=membership).filter(pk=team.pk).exists()


def team_names_by_membership(*, memberships: list[Membership]) -> dict[int, list[str]]:
    """Team names for many memberships in one query."""
    names: dict[int, list[str]] = {m.pk: [] for m in memberships}
    rows = Team.objects.filter(team_memberships__membership__in=memberships).values_list(
        "team_memberships__membership_id", "name"
    )
    for membership_id, name in rows.order_by("name"):
        names[membership_id].append(name)
    return names


def access_team_by_id(*, actor: Membership, team_id: int) -> Team:
    return get_object_or_404(teams_visible_to(membership=actor), pk=team_id)


def members_of_organization(
    *, organization: Organization, search: str = "", role: str = "", team_id: int | None = None
) -> QuerySet[Membership]:
    members = Membership.objects.filter(organization=organization).select_related("user")
    if search:
        members = members.filter(Q(user__email__icontains=search) | Q(user__name__icontains=search))
    if role:
        members = members.filter(role=role)
    if team_id:
        members = members.filter(team_memberships__team_id=team_id)
    return members.order_by("user__email", "pk")


def team_memberships_of(*, team: Team) -> QuerySet[TeamMembership]:
    return (
        TeamMembership.objects.filter(team=team)
        .select_related("membership__user")
        .order_by("membership__user__email")
    )


def access_team_membership(*, team: Team, membership_id: int) -> TeamMembership:
    return get_object_or_404(
        TeamMembership.objects.select_related("team", "membership__user"),
        team=team,
        membership_id=membership_id,
    )


def invitations_of_organization(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organization=organization).select_related("invited_by")


def access_invitation_by_id(*, actor: Membership, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation, organization_id=actor.organization_id, pk=invitation_id)


def pending_invitations_for_user(*, user) -> QuerySet[Invitation]:
    """Pending, unexpired invitations to any of the user's verified addresses."""
    verified = EmailAddress.objects.filter(user=user, verified=True).values("email")
    return (
        Invitation.objects.filter(status=Invitation.Status.PENDING, expires_at__gt=timezone.now())
        .filter(email__in=verified)
        .select_related("organization", "invited_by")
    )


def access_invitation_for_user(*, user, public_id) -> Invitation:
    """An invitation addressed to one of the user's verified addresses (any status,
    so the page can say it was already answered); anyone else's is a 404."""
    verified = EmailAddress.objects.filter(user=user, verified=True).values("email")
    return get_object_or_404(
        Invitation.objects.select_related("organization", "invited_by"),
        public_id=public_id,
        email__in=verified,
    )


def data_policy_for(*, organization: Organization) -> DataPolicy:
    """The organisation's policy; an organisation that never set one has the defaults."""
    return DataPolicy.objects.filter(organization=organization).first() or DataPolicy(
        organization=organization
    )


def may_review_member_data(
    *, actor: Membership, policy: DataPolicy, member: Membership | None = None
) -> bool:
    """Whether ``actor`` may open member data under the organisation's policy (and,
    given ``member``, that member's: not their own, nobody above their role). The
    same rules ``services.member_data_review`` enforces; the console asks first so
    it never offers what the server would refuse."""
    if not role_has_scope(actor.role, Scope.MEMBER_DATA_REVIEW):
        return False
    if not policy.allows("review_allowed_for", actor.role):
        return False
    if member is None:
        return True
    return member.pk != actor.pk and role_can_grant(actor.role, member.role)


def data_policies_for(*, organizations: list[Organization]) -> dict[int, DataPolicy]:
    """Policies of many organisations in one query (defaults where none is set)."""
    stored = {p.organization_id: p for p in DataPolicy.objects.filter(organization__in=organizations)}
    return {org.pk: stored.get(org.pk) or DataPolicy(organization=org) for org in organizations}


def data_policy_in_plain_words(*, policy: DataPolicy) -> list[str]:
    who = {
        DataPolicy.Who.NOBODY: _("nobody"),
        DataPolicy.Who.OWNERS: _("the owners"),
        DataPolicy.Who.OWNERS_AND_ADMINS: _("the owners and administrators"),
    }
    sentences = [
        _("Content you create in the organisation is kept for %(days)s days.")
        % {"days": policy.retention_days}
        if policy.retention_days
        else _("Content you create in the organisation is kept until it is deleted."),
    ]
    if policy.review_allowed_for == DataPolicy.Who.NOBODY:
        sentences.append(_("Nobody in the organisation may review your private data."))
    else:
        sentences.append(
            _("%(who)s may review your private data, stating a reason each time.")
            % {"who": who[policy.review_allowed_for].capitalize()}
        )
        sentences.append(
            _("You are told who reviewed your data, when and why.")
            if policy.notify_member_on_review
            else _("The policy allows them to review it without telling you.")
        )
    sentences.append(
        _("%(who)s may export members' data.") % {"who": who[policy.export_allowed_for].capitalize()}
    )
    return sentences


def member_data_record(*, member: Membership) -> dict:
    """What a reviewer sees about a member: their profile and their place in
    this organisation only (never their other organisations)."""
    teams = TeamMembership.objects.filter(membership=member).select_related("team").order_by("team__name")
    return {
        "profile": {
            "name": member.user.name,
            "email": member.user.email,
            "date_joined": member.user.date_joined,
            "language": member.user.language,
        },
        "membership": {
            "organization": member.organization.slug,
            "role": member.role,
            "is_primary_owner": member.is_primary_owner,
            "joined_at": member.joined_at,
        },
        "teams": [{"name": t.team.name, "role": t.role} for t in teams],
    }


def reviews_of_my_data(*, user) -> list[dict]:
    """Reviews of the user's data that they are allowed to know about (the
    organisation's policy said to tell them at the time of the review)."""
    events = list(
        AuditEvent.objects.filter(
            subject_key=subject_key_for_user(user=user),
            event_type=EventType.MEMBER_DATA_REVIEWED,
            changes__member_notified=True,
        ).order_by("-id")
    )
    reviewers = subject_keys_to_users(subject_keys={e.actor_subject for e in events})
    organizations = Organization.objects.in_bulk({e.organization_id for e in events})
    return [
        {
            "organization": organizations.get(event.organization_id),
            "reviewer": reviewers.get(event.actor_subject),
            "reviewed_at": event.occurred_at,
            "reason": (personal or {}).get("reason", ""),
        }
        for event, personal in audit_events_readable(events)
    ]


def organization_audit_events(*, organization: Organization, event_type: str = "", since=None, until=None):
    events = AuditEvent.objects.filter(organization_id=organization.pk)
    if event_type:
        events = events.filter(event_type=event_type)
    if since:
        events = events.filter(occurred_at__date__gte=since)
    if until:
        events = events.filter(occurred_at__date__lte=until)
    return events.order_by("-id")


def audit_rows(*, events) -> list[dict]:
    """Events with the people in them resolved (one query for all of them) and
    personal details decrypted; erased people show as None."""
    events = list(events)
    people = subject_keys_to_users(
        subject_keys={key for e in events for key in (e.actor_subject, e.subject_key) if key}
    )
    return [
        {
            "event": event,
            "actor": people.get(event.actor_subject),
            "subject": people.get(event.subject_key),
            "details": {**event.changes, **(personal or {})},
            "personal": personal,
            # As people read them (the console page and CSV); the API keeps ``details``.
            "details_text": audit_details_text(event.changes, personal),
        }
        for event, personal in audit_events_readable(events)
    ]
