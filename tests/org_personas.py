import pytest

from organizations.models import Membership, Organization, Team, TeamMembership
from organizations.roles import OrgRole, TeamRole
from tests.factories import UserFactory


@pytest.fixture
def acme(db):
    return Organization.objects.create(name="Acme AB", slug="acme")


@pytest.fixture
def globex(db):
    return Organization.objects.create(name="Globex", slug="globex")


def _member(org, email, role, **extra):
    return Membership.objects.create(organization=org, user=UserFactory(email=email), role=role, **extra)


@pytest.fixture
def owner(acme):
    return _member(acme, "owner@acme.example", OrgRole.OWNER, is_primary_owner=True)


@pytest.fixture
def second_owner(acme):
    return _member(acme, "owner2@acme.example", OrgRole.OWNER)


@pytest.fixture
def admin(acme):
    return _member(acme, "admin@acme.example", OrgRole.ADMIN)


@pytest.fixture
def member(acme):
    return _member(acme, "member@acme.example", OrgRole.MEMBER)


@pytest.fixture
def guest(acme):
    return _member(acme, "guest@acme.example", OrgRole.GUEST)


@pytest.fixture
def outsider(globex):
    """The owner of another organisation."""
    return _member(globex, "owner@globex.example", OrgRole.OWNER, is_primary_owner=True)


@pytest.fixture
def design(acme, guest):
    team = Team.objects.create(organization=acme, name="Design", slug="design")
    TeamMembership.objects.create(team=team, membership=guest, role=TeamRole.MEMBER)
    return team


@pytest.fixture
def engineering(acme, member):
    team = Team.objects.create(organization=acme, name="Engineering", slug="engineering")
    TeamMembership.objects.create(team=team, membership=member, role=TeamRole.TEAM_ADMIN)
    return team


@pytest.fixture
def console(client, password):
    """A client signed in as a membership's person (and so to its organisation's console)."""

    def sign_in(membership):
        from django.urls import reverse

        client.post(reverse("account_login"), {"login": membership.user.email, "password": password})
        return client

    return sign_in
