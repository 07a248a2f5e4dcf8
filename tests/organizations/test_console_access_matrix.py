"""The access matrix for the organisation console (HTML): every URL pattern of
the console (composed in icentrex/urls.py from each app's console_urls) x every
persona x {own object, foreign object}.
A console URL without an entry in CONSOLE fails the completeness test."""

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse

from icentrex.urls import organisation_console
from organizations.models import Membership
from organizations.roles import Scope, role_has_scope
from organizations.sessions import SESSION_KEY
from tests.factories import PASSWORD

from .test_access_matrix import ORG_ROLE, PERSONAS, TEAM_MANAGERS, world  # noqa: F401  (fixture)


@dataclass(frozen=True)
class Page:
    scope: Scope | None  # None: any member (sign-in/out pages)
    method: str = "GET"
    success: int = 200
    data: dict = field(default_factory=dict)
    params: tuple = ()
    allowed: frozenset | None = None
    overrides: dict = field(default_factory=dict)
    query: str = ""


CONSOLE = {
    "org_sign_in": Page(None),
    "org_sign_out": Page(None, method="POST", success=302),
    "org_members": Page(Scope.MEMBERS_READ),
    "org_member_role": Page(Scope.MEMBERS_WRITE, "POST", 302, {"role": "admin"}, ("member_id",)),
    "org_member_remove": Page(Scope.MEMBERS_WRITE, "POST", 302, params=("member_id",)),
    "org_member_review": Page(Scope.MEMBER_DATA_REVIEW, params=("member_id",)),
    "org_transfer_ownership": Page(Scope.OWNERSHIP_TRANSFER, "POST", 302, {"email": "{member_email}"}),
    "org_invitations": Page(Scope.INVITATIONS_WRITE),
    "org_invitation_revoke": Page(Scope.INVITATIONS_WRITE, "POST", 302, params=("invitation_id",)),
    "org_teams": Page(Scope.TEAMS_READ),
    "org_team": Page(Scope.TEAMS_READ, params=("team_id",)),
    "org_team_member": Page(
        Scope.TEAMS_READ,
        "POST",
        302,
        {"role": "team_admin"},
        ("team_id", "member_id"),
        allowed=frozenset(TEAM_MANAGERS),
    ),
    "org_policy": Page(Scope.ORG_READ),
    "org_audit": Page(Scope.AUDIT_READ),
    "org_exports": Page(Scope.MEMBER_DATA_EXPORT),
    "org_record": Page(Scope.SETTINGS_WRITE),
    "org_subprocessors": Page(Scope.SUBPROCESSORS_MANAGE),
    "org_subprocessor_object": Page(
        Scope.SUBPROCESSORS_MANAGE, "POST", 302, {"text": "Keep it in the EEA."}, ("change_id",)
    ),
    # The emailed link: only whoever started the export (the owner here) opens it; another admin who
    # may export gets a 404, like a foreign one.
    "org_export_download": Page(
        Scope.MEMBER_DATA_EXPORT,
        params=("export_public_id",),
        query="t={export_token}",
        overrides={"admin": 404},
    ),
    # Integrations name members: members:read. Adding (the consent screen posts the team) and
    # removing follow the team-manager rule; a team or installation of another organisation is a 404.
    "org_integrations": Page(Scope.MEMBERS_READ),
    "org_integration_add": Page(
        Scope.MEMBERS_READ,
        "POST",
        302,
        {"provider": "standup-bot", "team": "{team_id}", "share": "identity.id"},
        allowed=frozenset(TEAM_MANAGERS),
    ),
    "org_integration": Page(Scope.MEMBERS_READ, params=("public_id",)),
    "org_integration_remove": Page(
        Scope.MEMBERS_READ, "POST", 302, params=("public_id",), allowed=frozenset(TEAM_MANAGERS)
    ),
    # Email domains and disclosures: owners claim and preview; owners and admins read.
    "org_domains": Page(Scope.DOMAINS_WRITE),
    "org_domain_verify": Page(Scope.DOMAINS_WRITE, "POST", 302, params=("domain_id",)),
    "org_domain_revoke": Page(Scope.DOMAINS_WRITE, "POST", 302, params=("domain_id",)),
    "org_disclosure_dry_run": Page(Scope.DOMAINS_WRITE, "POST"),
    "org_disclosures": Page(Scope.DISCLOSURES_READ),
    # Support cases shared, masked, with owners and admins; another organisation's share is a 404.
    "org_shared_cases": Page(Scope.SUPPORT_CASES_READ),
    "org_shared_case": Page(Scope.SUPPORT_CASES_READ, params=("share_id",)),
    "org_shared_case_reply": Page(
        Scope.SUPPORT_CASES_READ, "POST", 302, {"body": "We are looking into it."}, ("share_id",)
    ),
}


def test_every_console_url_is_in_the_matrix():
    assert {p.name for p in organisation_console} == set(CONSOLE)


def expected(page: Page, persona: str, target: str) -> int:
    if target == "foreign" and "email" in page.data and persona not in ("anonymous", "outsider"):
        # Looked up by address inside the organisation: a foreign member is "no such member".
        return 403 if not role_has_scope(ORG_ROLE[persona], page.scope) else page.success
    if persona == "anonymous":
        return 302  # to the sign-in page
    if persona == "outsider":
        return 404
    if page.scope is not None and not role_has_scope(ORG_ROLE[persona], page.scope):
        return 403
    if target == "foreign":
        return 404
    if page.allowed is not None and persona not in page.allowed:
        return 403
    return page.overrides.get(persona, page.success)


CASES = [
    pytest.param(name, persona, target, id=f"{name} {persona} {target}")
    for name, page in sorted(CONSOLE.items())
    for persona in PERSONAS
    for target in (
        ["own", "foreign"] if page.params or any("{" in v for v in page.data.values()) else ["own"]
    )
]


@pytest.mark.parametrize(("name", "persona", "target"), CASES)
def test_console_access(world, name, persona, target):  # noqa: F811
    page = CONSOLE[name]
    ids = world.own if target == "own" else world.foreign
    client = Client()
    if persona != "anonymous":
        client.force_login(world.people[persona].user)
        session = client.session
        session[SESSION_KEY] = {"acme": "Acme", "globex": "Globex"}
        session.save()
    url = reverse(name, kwargs={"org_slug": "acme", **{p: ids[p] for p in page.params}})
    if page.query:
        url += "?" + page.query.format(**ids)
    data = {k: v.format(**ids) for k, v in page.data.items()}
    response = client.post(url, data) if page.method == "POST" else client.get(url)
    assert response.status_code == expected(page, persona, target), response.content[:500]
    if name == "org_transfer_ownership" and persona == "owner":
        # A member of another organisation is refused like an unknown address; nothing changes.
        transferred = Membership.objects.filter(organization__slug="acme", is_primary_owner=True).get()
        assert (transferred.user.email == data["email"]) is (target == "own")


def test_signed_in_to_two_organisations_sign_out_of_one(world):  # noqa: F811
    """Signing in to the account signs in to each organisation; signing out of
    one keeps the other and the account."""
    from organizations.models import Membership, Organization

    owner = world.people["owner"]
    Membership.objects.create(
        organization=Organization.objects.get(slug="globex"), user=owner.user, role="guest"
    )
    client = Client()
    client.post(reverse("account_login"), {"login": owner.user.email, "password": PASSWORD})
    assert set(client.session[SESSION_KEY]) == {"acme", "globex"}
    assert client.get(reverse("org_members", args=["acme"])).status_code == 200
    assert client.get(reverse("org_teams", args=["globex"])).status_code == 200

    client.post(reverse("org_sign_out", args=["acme"]))
    response = client.get(reverse("org_members", args=["acme"]))
    assert response.status_code == 302 and response.url.startswith(reverse("org_sign_in", args=["acme"]))
    assert client.get(reverse("org_teams", args=["globex"])).status_code == 200
    assert client.get(reverse("privacy_centre")).status_code == 200  # still signed in to the account

    client.post(reverse("org_sign_in", args=["acme"]))
    assert client.get(reverse("org_members", args=["acme"])).status_code == 200
