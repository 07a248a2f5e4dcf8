import pytest
from django.urls import reverse

from organizations.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_as(client, password):
    def sign_in(membership):
        client.post(reverse("account_login"), {"login": membership.user.email, "password": password})
        return client

    return sign_in


def test_my_organisations_lists_roles_and_teams(signed_in_as, member, design, engineering, outsider):
    html = signed_in_as(member).get(reverse("my_organizations")).content.decode()
    assert "Acme AB" in html and "Member" in html
    assert "<td>Engineering</td>" in html  # the team member is in; not Design
    assert "Globex" not in html


def test_leaving_an_organisation(signed_in_as, member, owner):
    client = signed_in_as(member)
    response = client.post(reverse("leave_organization", args=["acme"]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_the_primary_owner_is_told_to_transfer_first(signed_in_as, owner):
    client = signed_in_as(owner)
    page = client.post(reverse("leave_organization", args=["acme"]), follow=True).content.decode()
    assert "must transfer ownership" in page
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_leaving_a_foreign_organisation_is_a_404(signed_in_as, outsider, owner):
    response = signed_in_as(outsider).post(reverse("leave_organization", args=["acme"]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=owner.pk).exists()


@pytest.mark.parametrize("other_orgs", [1, 4])
def test_my_organisations_query_count_is_flat(
    signed_in_as, member, engineering, other_orgs, django_assert_num_queries
):
    from organizations.models import DataPolicy, Organization
    from organizations.services import member_data_review

    for n in range(other_orgs):
        org = Organization.objects.create(name=f"Org {n}", slug=f"org-{n}")
        DataPolicy.objects.create(organization=org, review_allowed_for="owners")
        owner = Membership.objects.create(
            organization=org, user=UserFactory(), role="owner", is_primary_owner=True
        )
        mine = Membership.objects.create(organization=org, user=member.user, role="member")
        member_data_review(actor=owner, member=mine, reason="A reason long enough")
    client = signed_in_as(member)
    client.get(reverse("my_organizations"))
    # session, user, memberships, team names, policies, subject key, review events,
    # reviewers, the reviewed person's key, organisations of reviews, pending invitations:
    # the same however many organisations and reviews; plus the cookie banner's
    # declaration revision and consent state, and the policy versions in force (the update banner)
    with django_assert_num_queries(14):
        client.get(reverse("my_organizations"))


def test_page_titles_are_plain_text(signed_in_as, owner, member):
    import re

    client = signed_in_as(owner)
    for name, args in [
        ("my_organizations", []),
        ("org_members", ["acme"]),
        ("org_policy", ["acme"]),
        ("org_teams", ["acme"]),
        ("org_audit", ["acme"]),
        ("privacy_centre", []),
    ]:
        html = client.get(reverse(name, args=args)).content.decode()
        (title,) = re.findall(r"<title>(.*?)</title>", html, re.S)
        assert "<" not in title and len(title.strip()) < 100, (name, title)
