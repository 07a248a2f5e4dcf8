"""The one registry of organisation roles and what each may do.

Views and services ask for scopes (``Scope.MEMBERS_WRITE``), never for role
names, so changing what a role may do is a change here only."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrgRole(models.TextChoices):
    # Highest first; RANK below orders them.
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")
    GUEST = "guest", _("Guest")


# A role as it reads inside a sentence ("… is now a member", "invites you as an
# administrator"). The labels above are titles ("Member") and need no article;
# Swedish uses none in these sentences ("är nu medlem").
ROLE_IN_SENTENCE = {
    "owner": pgettext_lazy("role inside a sentence", "an owner"),
    "admin": pgettext_lazy("role inside a sentence", "an administrator"),
    "member": pgettext_lazy("role inside a sentence", "a member"),
    "guest": pgettext_lazy("role inside a sentence", "a guest"),
}


def role_in_sentence(role: str) -> str:
    return str(ROLE_IN_SENTENCE[role])


class TeamRole(models.TextChoices):
    TEAM_ADMIN = "team_admin", _("Team admin")
    MEMBER = "member", _("Member")


# A team role as a note after the team's name ("Design (team admin)"); a plain
# member's needs none.
TEAM_ROLE_NOTE = {TeamRole.TEAM_ADMIN: _("team admin")}


def team_role_note(role: str) -> str:
    return str(TEAM_ROLE_NOTE.get(role, ""))


class Scope(StrEnum):
    ORG_READ = "org:read"
    MEMBERS_READ = "members:read"
    MEMBERS_WRITE = "members:write"
    TEAMS_READ = "teams:read"
    # Every team of the organisation; without it, only the teams one is in.
    TEAMS_READ_ALL = "teams:read_all"
    TEAMS_WRITE = "teams:write"
    INVITATIONS_WRITE = "invitations:write"
    SETTINGS_WRITE = "settings:write"
    MEMBER_DATA_REVIEW = "member_data:review"
    MEMBER_DATA_EXPORT = "member_data:export"
    AUDIT_READ = "audit:read"
    DOMAINS_WRITE = "domains:write"
    DISCLOSURES_READ = "disclosures:read"
    SUPPORT_CASES_READ = "support_cases:read"
    OWNERSHIP_TRANSFER = "ownership:transfer"
    # Subscribe to notices of sub-processor changes, and object to one within its notice period.
    SUBPROCESSORS_MANAGE = "subprocessors:manage"


RANK = {OrgRole.GUEST: 0, OrgRole.MEMBER: 1, OrgRole.ADMIN: 2, OrgRole.OWNER: 3}

_MEMBER_SCOPES = {Scope.ORG_READ, Scope.MEMBERS_READ, Scope.TEAMS_READ, Scope.TEAMS_READ_ALL}
_ADMIN_SCOPES = _MEMBER_SCOPES | {
    Scope.MEMBERS_WRITE,
    Scope.TEAMS_WRITE,
    Scope.INVITATIONS_WRITE,
    Scope.MEMBER_DATA_REVIEW,
    Scope.MEMBER_DATA_EXPORT,
    Scope.AUDIT_READ,
    Scope.DISCLOSURES_READ,
    Scope.SUPPORT_CASES_READ,
    Scope.SUBPROCESSORS_MANAGE,
}

# Integrations (integrations/console.py, integrations/api_views.py) use no scope
# of their own: listing what was added in the organisation and what it received
# names members (who added it, for whom), so it needs ``members:read``; adding or
# removing an integration for a team follows the team-manager rule (admins and
# owners any team, a team admin their own; ``organizations.selectors.
# teams_managed_by``), enforced by the service; which member a share was about
# needs ``member_data:review`` and the data policy.
ROLE_SCOPES: dict[str, frozenset[Scope]] = {
    # Guests see the organisation and only the teams they are in (no
    # ``teams:read_all``: selectors narrow the team list); they do not see the
    # member directory.
    OrgRole.GUEST: frozenset({Scope.ORG_READ, Scope.TEAMS_READ}),
    OrgRole.MEMBER: frozenset(_MEMBER_SCOPES),
    OrgRole.ADMIN: frozenset(_ADMIN_SCOPES),
    # Owners alone set the organisation's data policy, claim domains and hand on ownership
    # (the last one only as the primary owner, checked in the service).
    OrgRole.OWNER: frozenset(
        _ADMIN_SCOPES | {Scope.SETTINGS_WRITE, Scope.DOMAINS_WRITE, Scope.OWNERSHIP_TRANSFER}
    ),
}


def role_has_scope(role: str, scope: Scope) -> bool:
    return scope in ROLE_SCOPES.get(role, frozenset())


def role_can_grant(actor_role: str, role: str) -> bool:
    """Nobody grants (or takes away) a role above their own."""
    return RANK[OrgRole(role)] <= RANK[OrgRole(actor_role)]


def roles_with_scope(scope: Scope) -> list[str]:
    return [role for role, scopes in ROLE_SCOPES.items() if scope in scopes]
