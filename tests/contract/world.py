"""The people and organisations both contract tests run against: two organisations
(acme and globex), each with an owner and a member, and one iCentrex staff person
(privacy officer and support agent, so every staff-only operation answers)."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group

from accounts.services import api_token_create
from accounts.staff_roles import StaffRole
from organizations.models import Membership, Organization
from organizations.roles import OrgRole
from tests.factories import UserFactory


@dataclass
class Persona:
    user: object
    token: str
    token_id: int
    membership: Membership | None = None


@dataclass
class Tenant:
    organization: Organization
    owner: Persona
    member: Persona
    ids: dict = field(default_factory=dict)


def persona(email: str, *, organization=None, role=None, **user_fields) -> Persona:
    user = UserFactory(email=email, **user_fields)
    membership = None
    if organization is not None:
        membership = Membership.objects.create(
            organization=organization, user=user, role=role, is_primary_owner=role == OrgRole.OWNER
        )
    token, clear = api_token_create(actor=user, name="contract test")
    return Persona(user=user, token=clear, token_id=token.pk, membership=membership)


def tenant(slug: str, name: str) -> Tenant:
    organization = Organization.objects.create(name=name, slug=slug)
    return Tenant(
        organization=organization,
        owner=persona(f"owner@{slug}.example", organization=organization, role=OrgRole.OWNER),
        member=persona(f"member@{slug}.example", organization=organization, role=OrgRole.MEMBER),
    )


def staff(email: str = "staff@icentrex.example") -> Persona:
    person = persona(email, is_staff=True)
    for role in StaffRole:
        person.user.groups.add(Group.objects.get_or_create(name=role)[0])
    return person
