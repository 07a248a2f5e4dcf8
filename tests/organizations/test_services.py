import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from audit.events import EventType
from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, RuleViolation
from organizations import selectors, services
from organizations.models import Membership, Organization
from organizations.roles import OrgRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def role_of(membership):
    membership.refresh_from_db()
    return membership.role


def test_creating_an_organisation_makes_the_creator_primary_owner(alice):
    org = services.organization_create(actor=alice, name="Nordic Widgets AB")
    membership = Membership.objects.get(organization=org)
    assert (org.slug, membership.user, membership.role, membership.is_primary_owner) == (
        "nordic-widgets-ab",
        alice,
        OrgRole.OWNER,
        True,
    )
    assert AuditEvent.objects.filter(event_type=EventType.ORG_CREATED, organization_id=org.pk).exists()


def test_slug_collision_is_a_conflict_and_writes_nothing(alice, acme):
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict) as caught:
        services.organization_create(actor=alice, name="Acme", slug="acme")
    assert caught.value.code == "slug_taken"
    assert Organization.objects.count() == 1 and AuditEvent.objects.count() == events


def test_admin_changes_a_members_role_and_it_is_audited(admin, member):
    services.membership_change_role(actor=admin, member=member, role=OrgRole.ADMIN)
    assert role_of(member) == OrgRole.ADMIN
    event = AuditEvent.objects.get(event_type=EventType.ORG_MEMBER_ROLE_CHANGED)
    assert event.changes == {"role": ["member", "admin"]} and event.organization_id == member.organization_id


@pytest.mark.parametrize(
    ("actor_fixture", "target_fixture", "role", "code"),
    [
        ("admin", "member", OrgRole.OWNER, "role_above_own"),  # grant above own
        ("admin", "second_owner", OrgRole.MEMBER, "role_above_own"),  # change someone above
        ("member", "guest", OrgRole.MEMBER, "missing_scope"),  # no members:write
        ("second_owner", "owner", OrgRole.ADMIN, "primary_owner"),  # primary owner only by transfer
        ("owner", "member", "superuser", "invalid_role"),
    ],
)
def test_role_change_rules(request, actor_fixture, target_fixture, role, code):
    actor, target = request.getfixturevalue(actor_fixture), request.getfixturevalue(target_fixture)
    before = (role_of(target), AuditEvent.objects.count())
    with pytest.raises(RuleViolation) as caught:
        services.membership_change_role(actor=actor, member=target, role=role)
    assert caught.value.code == code
    assert (role_of(target), AuditEvent.objects.count()) == before


def test_the_last_owner_cannot_be_demoted_or_leave(acme, alice):
    # A sole owner is always the primary owner; check the last-owner rule with the
    # primary flag moved away, as a data fix-up could leave it.
    sole = Membership.objects.create(organization=acme, user=alice, role=OrgRole.OWNER)
    with pytest.raises(Conflict, match="at least one owner"):
        services.membership_change_role(actor=sole, member=sole, role=OrgRole.ADMIN)
    with pytest.raises(Conflict, match="at least one owner"):
        services.membership_remove(actor=sole, member=sole)
    assert role_of(sole) == OrgRole.OWNER


def test_primary_owner_cannot_leave_but_can_transfer_then_leave(owner, admin):
    with pytest.raises(Conflict) as caught:
        services.membership_remove(actor=owner, member=owner)
    assert caught.value.code == "primary_owner"

    services.organization_transfer_ownership(actor=owner, to=admin)
    owner.refresh_from_db()
    admin.refresh_from_db()
    assert (admin.role, admin.is_primary_owner, owner.role, owner.is_primary_owner) == (
        OrgRole.OWNER,
        True,
        OrgRole.OWNER,
        False,
    )
    services.membership_remove(actor=owner, member=owner)
    assert not Membership.objects.filter(pk=owner.pk).exists()
    assert AuditEvent.objects.filter(event_type=EventType.ORG_MEMBER_LEFT).count() == 1


def test_only_the_primary_owner_transfers(second_owner, member):
    with pytest.raises(Forbidden):
        services.organization_transfer_ownership(actor=second_owner, to=member)


def test_admin_removes_a_member_but_not_an_owner(admin, member, second_owner):
    services.membership_remove(actor=admin, member=member)
    assert not Membership.objects.filter(pk=member.pk).exists()
    with pytest.raises(Forbidden):
        services.membership_remove(actor=admin, member=second_owner)


def test_the_database_allows_one_primary_owner(owner, admin):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=admin.pk).update(role=OrgRole.OWNER, is_primary_owner=True)


def test_tenant_choke_point_answers_404_for_foreign_and_missing(owner, outsider, member):
    assert selectors.access_membership(user=owner.user, org_slug="acme") == owner
    for slug in ["acme", "nope"]:  # foreign and missing look the same
        with pytest.raises(Http404):
            selectors.access_membership(user=outsider.user, org_slug=slug)
    with pytest.raises(Http404):
        selectors.access_member_by_id(actor=outsider, membership_id=member.pk)
    assert selectors.access_member_by_id(actor=owner, membership_id=member.pk) == member


def test_guests_see_only_their_teams(guest, member, design, engineering):
    assert list(selectors.teams_visible_to(membership=guest)) == [design]
    assert set(selectors.teams_visible_to(membership=member)) == {design, engineering}


@pytest.mark.django_db(transaction=True)
def test_concurrent_role_changes_end_consistent(acme):
    """Two owners demote each other at once: row locks serialise them, so one
    wins and the organisation still has an owner."""
    primary = Membership.objects.create(
        organization=acme, user=UserFactory(), role=OrgRole.OWNER, is_primary_owner=True
    )
    a = Membership.objects.create(organization=acme, user=UserFactory(), role=OrgRole.OWNER)
    b = Membership.objects.create(organization=acme, user=UserFactory(), role=OrgRole.OWNER)
    primary.delete()  # leave two plain owners, so the last-owner rule decides
    errors, barrier = [], threading.Barrier(2)

    def demote(actor, target):
        barrier.wait()
        try:
            services.membership_change_role(actor=actor, member=target, role=OrgRole.MEMBER)
        except RuleViolation as error:
            errors.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=pair) for pair in [(a, b), (b, a)]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    roles = sorted(Membership.objects.filter(organization=acme).values_list("role", flat=True))
    assert roles == ["member", "owner"]
    # The loser's own role was changed first, so it may no longer manage members.
    assert len(errors) == 1 and errors[0] in {"missing_scope", "last_owner"}


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Design", "design"),
        ("Växjö team", "vaxjo-team"),
        ("設計", "設計"),
        ("🚀", None),
        ("\U00040ff5", None),
    ],
)
def test_any_team_name_is_a_name(owner, name, slug):
    """A name without ASCII letters (another script, only symbols, even
    unassigned code points, all valid strings by the API's schema) is a name;
    two such names are two teams, the same name twice is one."""
    team = services.team_create(actor=owner, name=name)
    assert team.slug == slug if slug else team.slug.startswith("team-")
    other = services.team_create(actor=owner, name=name + " 2" if slug else name + name)
    assert other.slug != team.slug
    with pytest.raises(Conflict):
        services.team_create(actor=owner, name=name)
    renamed = services.team_rename(actor=owner, team=other, name="⭐")
    assert renamed.slug.startswith("team-") and renamed.name == "⭐"


def test_an_organisation_named_without_ascii_gets_an_ascii_short_name(alice):
    organization = services.organization_create(actor=alice, name="設計")
    assert organization.slug.startswith("org-") and organization.slug.isascii()
    assert services.organization_create(actor=alice, name="Dashes", slug="---").slug == "---"
    with pytest.raises(RuleViolation):
        services.organization_create(actor=alice, name="Bad", slug="???")
