"""Organisation console: the integrations of the organisation, adding one for a
team (who may, for which teams), what each received (member detail only where
the data policy allows), removing, tenant isolation. Who may open which page
is in the generated matrix (tests/organizations/test_console_access_matrix.py)."""

import re

import pytest
from django.urls import reverse

from integrations.models import Installation, SharingEvent, WebhookDelivery
from integrations.services import installation_create, share_with_integration
from organizations.models import DataPolicy, Membership, Team, TeamMembership
from organizations.roles import OrgRole, TeamRole
from tests.factories import UserFactory

from .helpers import provider, query_count, signed_in
from .test_privacy_pages import offered

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(acme, admin):
    team = Team.objects.create(organization=acme, name="Sales", slug="sales")
    TeamMembership.objects.create(team=team, membership=admin)
    return team


@pytest.fixture
def standup(engineering, member, admin):
    """Standup Bot for Engineering (its team admin is ``member``), with two people in it."""
    TeamMembership.objects.create(team=engineering, membership=admin)
    return installation_create(
        user=member.user,
        provider=provider("standup-bot"),
        fields=["identity.name", "team.name"],
        membership=member,
        team=engineering,
    )


def table_rows(html: str) -> int:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")


def test_the_list_shows_each_installation_with_its_figures(owner, member, standup, acme, outsider, globex):
    mine = installation_create(
        user=owner.user, provider=provider("expense-reports"), fields=["organisation.name"], membership=owner
    )
    foreign = installation_create(  # another organisation's: never listed here
        user=outsider.user, provider=provider("expense-reports"), fields=["identity.id"], membership=outsider
    )
    html = signed_in(owner.user, "acme").get(reverse("org_integrations", args=["acme"])).content.decode()
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert table_rows(html) == 2
    assert str(standup.public_id) in table and str(mine.public_id) in table
    assert str(foreign.public_id) not in table
    assert "Team Engineering" in table and "(for themselves)" in table
    assert "The team&#x27;s name" in table  # fields granted, in words
    assert "1 share" in table and "about 2 people" in table
    # Owners may add for any team.
    assert "Add an integration for a team" in html


def test_the_tab_is_in_the_console_nav(member):
    html = signed_in(member.user, "acme").get(reverse("org_teams", args=["acme"])).content.decode()
    assert 'href="/orgs/acme/integrations/"' in html


@pytest.mark.parametrize("extra", [2, 30])
def test_the_list_query_count_does_not_grow_with_rows(owner, acme, engineering, extra):
    TeamMembership.objects.create(team=engineering, membership=owner, role=TeamRole.TEAM_ADMIN)
    for n in range(extra):
        installation_create(
            user=owner.user,
            provider=provider("standup-bot" if n % 2 else "calendar-sync"),
            fields=["identity.id"],
            membership=owner,
            team=engineering if n % 2 else None,
        )
    client = signed_in(owner.user, "acme")
    url = reverse("org_integrations", args=["acme"])
    client.get(url)
    # session, user, membership; count, page, share figures; may add, the catalogue; for the
    # cookie banner the declaration revision and the consent state; the policy versions in force
    assert query_count(lambda: client.get(url)) == 11


# --- Adding for a team ------------------------------------------------------------------


def test_an_admin_chooses_the_team_then_sees_the_consent_screen(admin, acme, engineering, sales):
    client = signed_in(admin.user, "acme")
    url = reverse("org_integration_add", args=["acme"])
    html = client.get(url, {"provider": "standup-bot"}).content.decode()
    # Two teams to choose from: the chooser first.
    assert 'name="team"' in html and ">Engineering<" in html and ">Sales<" in html
    html = client.get(url, {"provider": "standup-bot", "team": engineering.pk}).content.decode()
    assert offered(html) == {
        "identity.id": True,
        "identity.name": True,
        "team.name": True,
        "team.role": True,
    }
    assert "The member of team Engineering (1 person)." in html
    assert f'name="team" value="{engineering.pk}"' in html


def test_a_team_admin_is_offered_only_their_team(member, engineering, sales):
    client = signed_in(member.user, "acme")
    url = reverse("org_integration_add", args=["acme"])
    # One team they manage: straight to the consent screen for it.
    html = client.get(url, {"provider": "calendar-sync"}).content.decode()
    assert "for Engineering" in html and set(offered(html)) == {
        "identity.id",
        "identity.name",
        "identity.email",
    }
    html = client.get(url).content.decode()
    assert ">Engineering<" in html and ">Sales<" not in html
    # Naming another team in the address does not help.
    response = client.get(url, {"provider": "calendar-sync", "team": sales.pk})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_a_plain_member_cannot_add(acme, member, guest, design):
    response = signed_in(member.user, "acme").get(reverse("org_integration_add", args=["acme"]))
    assert response.status_code == 403
    assert "team&#x27;s admins" in response.content.decode()
    html = signed_in(member.user, "acme").get(reverse("org_integrations", args=["acme"])).content.decode()
    assert "Add an integration for a team" not in html


def test_adding_for_a_team_shares_the_ticked_fields_about_each_member(
    admin, member, guest, engineering, django_capture_on_commit_callbacks
):
    TeamMembership.objects.create(team=engineering, membership=guest)
    client = signed_in(admin.user, "acme")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("org_integration_add", args=["acme"]),
            {"provider": "standup-bot", "team": engineering.pk, "share": ["identity.name", "team.role"]},
        )
    installation = Installation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("org_integration", args=["acme", installation.public_id])
    assert installation.team == engineering and installation.installed_by == admin.user
    assert installation.granted_fields == ["identity.name", "team.role"]
    events = list(SharingEvent.objects.all())
    assert len(events) == 2 and {tuple(e.fields) for e in events} == {("identity.name", "team.role")}
    assert all(e.team_id == engineering.pk and e.organization_id == admin.organization_id for e in events)
    assert len(callbacks) == 1


def test_bad_team_input_writes_nothing(member, engineering, sales, outsider, globex):
    foreign_team = Team.objects.create(organization=globex, name="Globex Sales", slug="sales")
    client = signed_in(member.user, "acme")
    url = reverse("org_integration_add", args=["acme"])
    cases = [
        ({"team": sales.pk}, 403),  # a team of this organisation they do not manage
        ({"team": foreign_team.pk}, 404),  # another organisation's team
        ({"team": "x"}, 404),
        ({"team": "²"}, 404),  # a digit to str.isdigit, not a number
        ({"team": "9" * 25}, 404),  # past any database id
        ({"team": engineering.pk, "provider": "mailstream"}, 404),  # not an integration
        ({"team": engineering.pk, "share": ["identity.email"]}, 400),  # not declared by Standup Bot
        ({"team": engineering.pk, "share": []}, 400),
    ]
    for data, expected in cases:
        body = {"provider": "standup-bot", "share": ["identity.id"], **data}
        assert client.post(url, body).status_code == expected, data
    assert not Installation.objects.exists() and not SharingEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


# --- What it received -------------------------------------------------------------------


def test_member_detail_only_where_the_data_policy_allows(owner, admin, member, standup):
    url = reverse("org_integration", args=["acme", standup.public_id])
    # Default policy: nobody reviews member data, so counts only, with the reason.
    html = signed_in(owner.user, "acme").get(url).content.decode()
    assert "2 people" in html and "data policy" in html
    assert member.user.email not in html.split("What it received", 1)[1]
    assert "The team&#x27;s name" in html and "Your name" in html

    DataPolicy.objects.create(organization=owner.organization, review_allowed_for=DataPolicy.Who.OWNERS)
    html = signed_in(owner.user, "acme").get(url).content.decode()
    received = html.split("What it received", 1)[1]
    assert member.user.email in received and admin.user.email in received
    assert "data policy" not in received
    # The policy names owners only: an admin still sees counts.
    html = signed_in(admin.user, "acme").get(url).content.decode()
    assert member.user.email not in html.split("What it received", 1)[1]


def test_the_shares_page_by_cursor(owner, member, standup, django_assert_max_num_queries):
    for _ in range(54):
        share_with_integration(installation=standup)
    client = signed_in(owner.user, "acme")
    url = reverse("org_integration", args=["acme", standup.public_id])
    first = client.get(url).content.decode()
    assert table_rows(first) == 50
    older = re.search(r'href="\?([^"]+)" rel="next">Older', first).group(1)
    second = client.get(f"{url}?{older}").content.decode()
    assert table_rows(second) == 5 and ">Older<" not in second and ">Newest<" in second
    with django_assert_max_num_queries(16):
        client.get(url)
    # A cursor that is not an id shows the newest page, never an error.
    for bad in ["²", "9" * 25, "-3", "x"]:
        response = client.get(url, {"before": bad})
        assert response.status_code == 200 and table_rows(response.content.decode()) == 50


def test_a_foreign_installation_is_not_found(owner, outsider, globex):
    foreign_team = Team.objects.create(organization=globex, name="Ops", slug="ops")
    TeamMembership.objects.create(team=foreign_team, membership=outsider)
    foreign = installation_create(
        user=outsider.user,
        provider=provider("standup-bot"),
        fields=["identity.id"],
        membership=outsider,
        team=foreign_team,
    )
    client = signed_in(owner.user, "acme", "globex")
    for name in ["org_integration", "org_integration_remove"]:
        assert client.get(reverse(name, args=["acme", foreign.public_id])).status_code == 404
    assert client.post(reverse("org_integration_remove", args=["acme", foreign.public_id])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "active"


# --- Removing -----------------------------------------------------------------------------


def test_a_team_manager_removes_after_confirming(member, standup, django_capture_on_commit_callbacks):
    client = signed_in(member.user, "acme")
    detail = client.get(reverse("org_integration", args=["acme", standup.public_id])).content.decode()
    remove_url = reverse("org_integration_remove", args=["acme", standup.public_id])
    assert remove_url in detail
    page = client.get(remove_url).content.decode()
    assert "Remove Standup Bot?" in page and "members of team Engineering" in page
    with django_capture_on_commit_callbacks():
        response = client.post(remove_url)
    assert response.status_code == 302
    standup.refresh_from_db()
    assert standup.status == "removed"
    assert WebhookDelivery.objects.filter(kind="installation.removed").count() == 1
    # Removed: the detail says so and offers nothing more to remove.
    detail = client.get(reverse("org_integration", args=["acme", standup.public_id])).content.decode()
    assert "removed" in detail and remove_url not in detail


def test_others_see_no_remove_and_are_refused(acme, admin, standup, engineering):
    outsider_in_team = Membership.objects.create(organization=acme, user=UserFactory(), role=OrgRole.MEMBER)
    TeamMembership.objects.create(team=engineering, membership=outsider_in_team)  # a plain team member
    client = signed_in(outsider_in_team.user, "acme")
    detail = client.get(reverse("org_integration", args=["acme", standup.public_id])).content.decode()
    remove_url = reverse("org_integration_remove", args=["acme", standup.public_id])
    assert remove_url not in detail
    assert client.get(remove_url).status_code == 403
    assert client.post(remove_url).status_code == 403
    standup.refresh_from_db()
    assert standup.status == "active"
