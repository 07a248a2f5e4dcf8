"""The access matrix: every organisation-scoped API operation (read from the
OpenAPI schema) x every persona x {own-organisation object, foreign object},
checked against the scope registry. A new endpoint without an entry in MATRIX
fails ``test_every_org_scoped_operation_is_in_the_matrix``."""

import json
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import resolve
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from data_requests.links import link_issue
from data_requests.models import OrganizationExport
from domains.models import DomainClaim
from integrations.models import Provider
from integrations.services import installation_create
from organizations.models import DataPolicy, Invitation, Membership, Organization, Team, TeamMembership
from organizations.roles import OrgRole, Scope, TeamRole, role_has_scope
from support.services import case_open, case_share
from tests.factories import UserFactory

PREFIX = "/api/v1/orgs/{org_slug}"
PERSONAS = ["anonymous", "outsider", "guest", "member", "team_admin", "admin", "owner"]
ORG_ROLE = {
    "guest": OrgRole.GUEST,
    "member": OrgRole.MEMBER,
    "team_admin": OrgRole.MEMBER,
    "admin": OrgRole.ADMIN,
    "owner": OrgRole.OWNER,
}
TEAM_MANAGERS = {"team_admin", "admin", "owner"}


@dataclass(frozen=True)
class Op:
    scope: Scope  # what the operation needs, by the spec (not read from the view)
    success: int = 200
    body: dict = field(default_factory=dict)
    # Rules beyond the view's scope (service-level), as persona -> expected status.
    overrides: dict = field(default_factory=dict)
    # Only these personas pass the service rules (None: everyone the scope lets in).
    allowed: frozenset | None = None


MATRIX = {
    ("GET", PREFIX): Op(Scope.ORG_READ),
    ("PATCH", PREFIX): Op(Scope.SETTINGS_WRITE, body={"name": "Acme Renamed"}),
    ("POST", PREFIX + "/leave"): Op(Scope.ORG_READ, success=204, overrides={"owner": 409}),
    ("POST", PREFIX + "/transfer-ownership"): Op(Scope.OWNERSHIP_TRANSFER, body={"member_id": "{member_id}"}),
    ("GET", PREFIX + "/members"): Op(Scope.MEMBERS_READ),
    ("GET", PREFIX + "/members/{member_id}"): Op(Scope.MEMBERS_READ),
    ("PATCH", PREFIX + "/members/{member_id}"): Op(Scope.MEMBERS_WRITE, body={"role": "admin"}),
    ("DELETE", PREFIX + "/members/{member_id}"): Op(Scope.MEMBERS_WRITE, success=204),
    ("GET", PREFIX + "/teams"): Op(Scope.TEAMS_READ),
    ("POST", PREFIX + "/teams"): Op(Scope.TEAMS_WRITE, success=201, body={"name": "Research"}),
    ("GET", PREFIX + "/teams/{team_id}"): Op(Scope.TEAMS_READ),
    ("PATCH", PREFIX + "/teams/{team_id}"): Op(Scope.TEAMS_WRITE, body={"name": "Platform"}),
    ("DELETE", PREFIX + "/teams/{team_id}"): Op(Scope.TEAMS_WRITE, success=204),
    ("GET", PREFIX + "/teams/{team_id}/members"): Op(Scope.TEAMS_READ),
    ("POST", PREFIX + "/teams/{team_id}/members"): Op(
        Scope.TEAMS_READ, success=201, body={"member_id": "{newbie_id}"}, allowed=frozenset(TEAM_MANAGERS)
    ),
    ("PATCH", PREFIX + "/teams/{team_id}/members/{member_id}"): Op(
        Scope.TEAMS_READ, body={"role": "team_admin"}, allowed=frozenset(TEAM_MANAGERS)
    ),
    ("DELETE", PREFIX + "/teams/{team_id}/members/{member_id}"): Op(
        Scope.TEAMS_READ, success=204, allowed=frozenset(TEAM_MANAGERS)
    ),
    ("GET", PREFIX + "/invitations"): Op(Scope.INVITATIONS_WRITE),
    ("POST", PREFIX + "/invitations"): Op(
        Scope.INVITATIONS_WRITE, success=201, body={"email": "new@example.org", "role": "member"}
    ),
    ("DELETE", PREFIX + "/invitations/{invitation_id}"): Op(Scope.INVITATIONS_WRITE, success=204),
    ("GET", PREFIX + "/data-policy"): Op(Scope.ORG_READ),
    ("PATCH", PREFIX + "/data-policy"): Op(Scope.SETTINGS_WRITE, body={"notify_member_on_review": False}),
    ("GET", PREFIX + "/audit-events"): Op(Scope.AUDIT_READ),
    ("GET", PREFIX + "/exports"): Op(Scope.MEMBER_DATA_EXPORT),
    ("POST", PREFIX + "/exports"): Op(Scope.MEMBER_DATA_EXPORT, success=202, body={"format": "csv"}),
    ("GET", PREFIX + "/exports/{export_id}"): Op(Scope.MEMBER_DATA_EXPORT),
    # The world's policy lets owners and admins review (see ``world``).
    ("POST", PREFIX + "/members/{member_id}/review"): Op(
        Scope.MEMBER_DATA_REVIEW, body={"reason": "Checking a reported account problem"}
    ),
    # Integrations name members (who added one, for whom): members:read. Adding and removing for
    # a team is for its team admins and the organisation's admins and owners (service rule).
    ("GET", PREFIX + "/integrations"): Op(Scope.MEMBERS_READ),
    ("POST", PREFIX + "/integrations"): Op(
        Scope.MEMBERS_READ,
        success=201,
        body={"provider": "standup-bot", "team_id": "{team_id}", "fields": ["identity.id", "team.name"]},
        allowed=frozenset(TEAM_MANAGERS),
    ),
    ("GET", PREFIX + "/integrations/{public_id}"): Op(Scope.MEMBERS_READ),
    ("DELETE", PREFIX + "/integrations/{public_id}"): Op(
        Scope.MEMBERS_READ, success=204, allowed=frozenset(TEAM_MANAGERS)
    ),
    ("GET", PREFIX + "/data-sharing"): Op(Scope.MEMBERS_READ),
    # Email-domain claims: owners only (domains:write), reading them too.
    ("GET", PREFIX + "/domains"): Op(Scope.DOMAINS_WRITE),
    ("POST", PREFIX + "/domains"): Op(Scope.DOMAINS_WRITE, success=201, body={"domain": "acme-labs.example"}),
    ("GET", PREFIX + "/domains/{domain_id}"): Op(Scope.DOMAINS_WRITE),
    ("DELETE", PREFIX + "/domains/{domain_id}"): Op(Scope.DOMAINS_WRITE, success=204),
    ("POST", PREFIX + "/domains/{domain_id}/verify"): Op(Scope.DOMAINS_WRITE),
    # What was disclosed under them: owners and admins read; owners preview (a dry run).
    ("GET", PREFIX + "/disclosures"): Op(Scope.DISCLOSURES_READ),
    ("POST", PREFIX + "/disclosures/dry-run"): Op(Scope.DOMAINS_WRITE),
    # Support cases iCentrex shared, masked, with the organisation: owners and admins.
    ("GET", PREFIX + "/shared-cases/"): Op(Scope.SUPPORT_CASES_READ),
    ("GET", PREFIX + "/shared-cases/{share_id}"): Op(Scope.SUPPORT_CASES_READ),
}


@cache
def schema_operations() -> frozenset:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return frozenset(
        (method.upper(), path)
        for path, item in schema["paths"].items()
        if path.startswith(PREFIX)
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


def test_every_org_scoped_operation_is_in_the_matrix():
    assert schema_operations() == set(MATRIX)


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_views_ask_for_the_scope_the_matrix_expects(method, path):
    view = resolve(
        path.format(
            org_slug="acme",
            member_id=1,
            team_id=1,
            invitation_id=1,
            export_id=1,
            domain_id=1,
            public_id="5d1f3c6e-0000-4000-8000-000000000001",
            share_id="5d1f3c6e-0000-4000-8000-000000000002",
        )
    ).func.view_class
    assert view.required_scopes[method] == MATRIX[(method, path)].scope


@pytest.fixture
def world(db, dns_server):
    acme = Organization.objects.create(name="Acme", slug="acme")
    globex = Organization.objects.create(name="Globex", slug="globex")

    def join(org, role, **extra):
        return Membership.objects.create(organization=org, user=UserFactory(), role=role, **extra)

    people = {
        "owner": join(acme, OrgRole.OWNER, is_primary_owner=True),
        "admin": join(acme, OrgRole.ADMIN),
        "member": join(acme, OrgRole.MEMBER),
        "team_admin": join(acme, OrgRole.MEMBER),
        "guest": join(acme, OrgRole.GUEST),
        "outsider": join(globex, OrgRole.OWNER, is_primary_owner=True),
    }
    target, newbie = join(acme, OrgRole.MEMBER), join(acme, OrgRole.MEMBER)
    team = Team.objects.create(organization=acme, name="Engineering", slug="engineering")
    for membership, role in [
        (people["team_admin"], TeamRole.TEAM_ADMIN),
        (people["guest"], TeamRole.MEMBER),
        (target, TeamRole.MEMBER),
    ]:
        TeamMembership.objects.create(team=team, membership=membership, role=role)
    foreign_member = join(globex, OrgRole.MEMBER)
    foreign_team = Team.objects.create(organization=globex, name="Sales", slug="sales")
    TeamMembership.objects.create(team=foreign_team, membership=foreign_member)
    DataPolicy.objects.create(
        organization=acme,
        review_allowed_for=DataPolicy.Who.OWNERS_AND_ADMINS,
        export_allowed_for=DataPolicy.Who.OWNERS_AND_ADMINS,
    )
    # A finished member-data export of each organisation, its link emailed to its primary owner.
    export, foreign_export = (
        OrganizationExport(organization=org, format="json", status="done", requested_by=who.user)
        for org, who in ((acme, people["owner"]), (globex, people["outsider"]))
    )
    tokens = {}
    for item in (export, foreign_export):
        tokens[item.organization.slug] = link_issue(item)
        item.file.save(f"{item.organization.slug}.json", ContentFile(b'{"members": []}'))
    invitation = Invitation.objects.create(organization=acme, email="invited@example.org")
    foreign_invitation = Invitation.objects.create(organization=globex, email="invited@example.org")
    # Standup Bot added for each organisation's team by someone who manages it.
    standup = Provider.objects.get(slug="standup-bot")
    installation, foreign_installation = (
        installation_create(
            user=actor.user, provider=standup, fields=["identity.id", "team.name"], membership=actor, team=t
        )
        for actor, t in ((people["team_admin"], team), (people["outsider"], foreign_team))
    )
    # A pending claim each; verifying asks the local DNS server (no record: stays pending).
    claim, foreign_claim = (
        DomainClaim.objects.create(organization=org, domain=f"{org.slug}.example", token="t0ken")
        for org in (acme, globex)
    )
    # A support case of each organisation, shared masked with its admins by support staff.
    agent = UserFactory(is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    share, foreign_share = (
        case_share(
            actor=agent,
            case=case_open(actor=who.user, subject="Export fails", body="Nothing happens.", organization=org),
        )
        for who, org in ((people["member"], acme), (foreign_member, globex))
    )
    # Sub-processor changes are not an organisation's: the "own" one is open to
    # objections, the "foreign" one has taken effect (no objection reaches it: 404).
    from integrations.models import SubprocessorChange

    mailstream = Provider.objects.get(slug="mailstream")
    now = timezone.now()
    change, closed_change = (
        SubprocessorChange.objects.create(
            provider=mailstream,
            kind="change",
            summary="country: IE → US",
            announced_at=now,
            effective_on=now.date() + timedelta(days=30),
            applied_at=applied,
        )
        for applied in (None, now)
    )
    return SimpleNamespace(
        people=people,
        own={
            "member_id": target.pk,
            "member_email": target.user.email,
            "team_id": team.pk,
            "newbie_id": newbie.pk,
            "invitation_id": invitation.pk,
            "export_id": export.pk,
            "export_public_id": str(export.public_id),
            "export_token": tokens["acme"],
            "public_id": str(installation.public_id),
            "domain_id": claim.pk,
            "share_id": str(share.public_id),
            "change_id": str(change.public_id),
        },
        foreign={
            "member_id": foreign_member.pk,
            "member_email": foreign_member.user.email,
            "team_id": foreign_team.pk,
            "newbie_id": foreign_member.pk,
            "invitation_id": foreign_invitation.pk,
            "export_id": foreign_export.pk,
            "export_public_id": str(foreign_export.public_id),
            "export_token": tokens["globex"],
            "public_id": str(foreign_installation.public_id),
            "domain_id": foreign_claim.pk,
            "share_id": str(foreign_share.public_id),
            "change_id": str(closed_change.public_id),
        },
    )


def expected_status(op: Op, method: str, path: str, persona: str, target: str) -> int:
    if persona == "anonymous":
        return 401
    if persona == "outsider":
        return 404
    if not role_has_scope(ORG_ROLE[persona], op.scope):
        return 403
    if target == "foreign":
        return 404
    if op.allowed is not None and persona not in op.allowed:
        return 403
    return op.overrides.get(persona, op.success)


def has_object(method, path) -> bool:
    """Whether the operation names an object (in its path or body) that can be foreign."""
    op = MATRIX[(method, path)]
    return "{" in path.removeprefix(PREFIX) or any("{" in str(v) for v in op.body.values())


CASES = [
    pytest.param(
        method, path, persona, target, id=f"{method} {path.removeprefix(PREFIX) or '/'} {persona} {target}"
    )
    for method, path in sorted(MATRIX)
    for persona in PERSONAS
    for target in (["own", "foreign"] if has_object(method, path) else ["own"])
]


@pytest.mark.parametrize(("method", "path", "persona", "target"), CASES)
def test_access(world, method, path, persona, target):
    op = MATRIX[(method, path)]
    ids = world.own if target == "own" else world.foreign
    client = APIClient()
    if persona != "anonymous":
        client.force_authenticate(world.people[persona].user)
    url = path.format(org_slug="acme", **ids)
    body = {k: (v.format(**ids) if isinstance(v, str) and "{" in v else v) for k, v in op.body.items()}
    body = {k: int(v) if k.endswith("_id") else v for k, v in body.items()}
    response = client.generic(
        method, url, data=json.dumps(body) if body else "", content_type="application/json"
    )
    assert response.status_code == expected_status(op, method, path, persona, target), response.content
