import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from organizations.models import Membership, Organization, Team, TeamMembership
from organizations.roles import OrgRole, TeamRole
from tests.conftest import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def api_as(membership_or_user):
    user = getattr(membership_or_user, "user", membership_or_user)
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_and_list_my_organisations(alice):
    client = api_as(alice)
    response = client.post("/api/v1/orgs", {"name": "Fika & Co"}, format="json")
    assert response.status_code == 201 and response.json()["slug"] == "fika-co"
    mine = client.get("/api/v1/orgs").json()["results"]
    assert [(m["organization"]["slug"], m["role"], m["is_primary_owner"]) for m in mine] == [
        ("fika-co", "owner", True)
    ]


def test_slug_collision_is_409(alice, acme):
    assert_error(api_as(alice).post("/api/v1/orgs", {"name": "Acme"}, format="json"), 409, "slug_taken")
    assert Organization.objects.count() == 1


def test_members_list_with_roles_team_names_and_filters(owner, admin, member, guest, design, engineering):
    client = api_as(owner)
    page = client.get("/api/v1/orgs/acme/members").json()
    rows = {r["user"]["email"]: (r["role"], r["teams"]) for r in page["results"]}
    assert rows == {
        "owner@acme.example": ("owner", []),
        "admin@acme.example": ("admin", []),
        "member@acme.example": ("member", ["Engineering"]),
        "guest@acme.example": ("guest", ["Design"]),
    }
    by_role = client.get("/api/v1/orgs/acme/members", {"role": "guest"}).json()["results"]
    assert [r["user"]["email"] for r in by_role] == ["guest@acme.example"]
    by_team = client.get("/api/v1/orgs/acme/members", {"team": engineering.pk}).json()["results"]
    assert [r["user"]["email"] for r in by_team] == ["member@acme.example"]
    by_search = client.get("/api/v1/orgs/acme/members", {"search": "ADMIN@"}).json()["results"]
    assert [r["user"]["email"] for r in by_search] == ["admin@acme.example"]
    assert_error(client.get("/api/v1/orgs/acme/members", {"role": "king"}), 400, "invalid")


@pytest.mark.parametrize("extra_members", [5, 60])
def test_members_list_query_count_is_constant(owner, acme, extra_members, django_assert_num_queries):
    team = Team.objects.create(organization=acme, name="Big", slug="big")
    for _ in range(extra_members):
        m = Membership.objects.create(organization=acme, user=UserFactory(), role=OrgRole.MEMBER)
        TeamMembership.objects.create(team=team, membership=m)
    client = api_as(owner)
    # membership (choke point), count, page, team names
    with django_assert_num_queries(4):
        response = client.get(
            "/api/v1/orgs/acme/members", {"page_size": 50, "page": 2 if extra_members > 50 else 1}
        )
    assert response.status_code == 200


def test_invalid_role_writes_nothing(owner, member):
    events = AuditEvent.objects.count()
    body = assert_error(
        api_as(owner).patch(f"/api/v1/orgs/acme/members/{member.pk}", {"role": "emperor"}, format="json"),
        400,
        "invalid",
    )
    assert "role" in body["fields"]
    member.refresh_from_db()
    assert member.role == OrgRole.MEMBER and AuditEvent.objects.count() == events


def test_demoting_the_primary_owner_is_a_409(owner, second_owner):
    assert_error(
        api_as(second_owner).patch(f"/api/v1/orgs/acme/members/{owner.pk}", {"role": "admin"}, format="json"),
        409,
        "primary_owner",
    )


def test_granting_above_own_role_is_a_403(admin, member):
    assert_error(
        api_as(admin).patch(f"/api/v1/orgs/acme/members/{member.pk}", {"role": "owner"}, format="json"),
        403,
        "role_above_own",
    )


def test_a_team_admin_manages_only_their_team(acme, member, guest, design, engineering):
    # member is team admin of Engineering only
    client = api_as(member)
    ok = client.post(
        f"/api/v1/orgs/acme/teams/{engineering.pk}/members", {"member_id": guest.pk}, format="json"
    )
    assert ok.status_code == 201
    assert_error(
        client.post(f"/api/v1/orgs/acme/teams/{design.pk}/members", {"member_id": member.pk}, format="json"),
        403,
        "not_team_admin",
    )
    assert not TeamMembership.objects.filter(team=design, membership=member).exists()


def test_adding_someone_twice_to_a_team_is_a_409(owner, member, engineering):
    assert_error(
        api_as(owner).post(
            f"/api/v1/orgs/acme/teams/{engineering.pk}/members", {"member_id": member.pk}, format="json"
        ),
        409,
        "already_in_team",
    )


def test_team_slug_collision_is_a_409(owner, engineering):
    assert_error(
        api_as(owner).post("/api/v1/orgs/acme/teams", {"name": "engineering"}, format="json"),
        409,
        "team_exists",
    )


def test_team_admins_promote_within_their_team(member, engineering, guest):
    TeamMembership.objects.create(team=engineering, membership=guest, role=TeamRole.MEMBER)
    response = api_as(member).patch(
        f"/api/v1/orgs/acme/teams/{engineering.pk}/members/{guest.pk}", {"role": "team_admin"}, format="json"
    )
    assert response.status_code == 200 and response.json()["role"] == "team_admin"


def test_personal_tokens_work_for_organisation_scripts(owner, member):
    from accounts.services import api_token_create

    _token, clear = api_token_create(actor=owner.user, name="org script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert client.get("/api/v1/orgs/acme/members").json()["count"] == 2


def test_transfer_ownership_through_the_api(owner, admin):
    response = api_as(owner).post(
        "/api/v1/orgs/acme/transfer-ownership", {"member_id": admin.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_primary_owner"] is True
    owner.refresh_from_db()
    assert owner.role == OrgRole.OWNER and not owner.is_primary_owner
