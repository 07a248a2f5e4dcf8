"""Console forms say what is wrong on the form: a rule the service refuses
(a duplicate team name, someone already invited or in the team) is a field
error shown with the form (400), never a full error page; and messages name
roles in a grammatical sentence (English and Swedish)."""

from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

from core.errors import Conflict
from organizations.models import Invitation, Team, TeamMembership

pytestmark = pytest.mark.django_db


def test_a_duplicate_team_name_is_an_error_on_the_name_field(console, owner, engineering):
    response = console(owner).post(reverse("org_teams", args=["acme"]), {"name": "engineering"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["A team with that name exists."]
    html = response.content.decode()
    assert 'name="name"' in html and "A team with that name exists." in html
    assert Team.objects.filter(organization=owner.organization).count() == 1


def test_inviting_a_member_again_is_an_error_on_the_email_field(console, admin, member):
    client = console(admin)
    url = reverse("org_invitations", args=["acme"])
    response = client.post(url, {"email": member.user.email, "role": "member"})
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["This person is already a member."]
    assert client.post(url, {"email": "new@example.org", "role": "guest"}).status_code == 302
    response = client.post(url, {"email": "new@example.org", "role": "guest"})
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["This address already has a pending invitation."]
    assert Invitation.objects.count() == 1


def test_a_team_add_refused_by_the_service_is_an_error_on_the_member_field(
    console, owner, admin, engineering
):
    # The form lists only people outside the team, so the service refuses only
    # after a race (someone added them meanwhile): the answer is still the form.
    with mock.patch(
        "organizations.services.team_member_add", side_effect=Conflict("Already in this team.", code="x")
    ):
        response = console(owner).post(
            reverse("org_team", args=["acme", engineering.pk]), {"member": admin.pk, "role": "member"}
        )
    assert response.status_code == 400
    assert response.context["form"].errors["member"] == ["Already in this team."]
    assert TeamMembership.objects.filter(team=engineering).count() == 1


@pytest.mark.parametrize(
    "language, role, sentence",
    [
        ("en", "member", "is now a member."),
        ("en", "admin", "is now an administrator."),
        ("en", "owner", "is now an owner."),
        ("sv", "member", "är nu medlem."),
        ("sv", "admin", "är nu administratör."),
    ],
)
def test_a_role_change_says_so_in_a_sentence(console, owner, guest, language, role, sentence):
    guest.user.name = "Gustav Guest"
    guest.user.save(update_fields=["name"])
    client = console(owner)
    client.cookies["django_language"] = language
    with translation.override(language):
        response = client.post(
            reverse("org_member_role", args=["acme", guest.pk]), {"role": role}, follow=True
        )
    html = response.content.decode()
    assert f"Gustav Guest {sentence}" in html
    guest.refresh_from_db()
    assert guest.role == role


def test_the_console_says_who_you_are_in_a_sentence(console, admin):
    html = console(admin).get(reverse("org_members", args=["acme"])).content.decode()
    assert "You are an administrator" in html
