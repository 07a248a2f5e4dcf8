from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from policies import selectors, services
from policies.models import PolicyAcceptance, PolicyDocument
from tests.conftest import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish():
    officer = UserFactory(email="po@icentrex.example")
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])

    def make(material: bool, slug="privacy", effective_in=timedelta(0)):
        document = PolicyDocument.objects.get(slug=slug)
        body = (
            selectors.version_in_force(document=document).body + f"\n\nChange {timezone.now().isoformat()}.\n"
        )
        draft = services.policy_draft_create(
            actor=officer,
            document=document,
            body=body,
            summary="Changed.",
            effective_at=timezone.now() + effective_in,
            material=material,
        )
        return services.policy_publish(actor=officer, version=draft)

    return make


@pytest.fixture
def existing_user(db):
    return UserFactory(email="early@example.org", date_joined=timezone.now() - timedelta(days=30))


def sign_in(client, user, password):
    client.post(reverse("account_login"), {"login": user.email, "password": password})
    return client


def test_a_material_change_asks_on_the_next_page_and_records_acceptance(
    client, existing_user, password, publish
):
    version = publish(material=True)
    sign_in(client, existing_user, password)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("policy_accept"))
    page = client.get(response.url).content.decode()
    assert "Our policies changed" in page and "Changed." in page
    # The privacy centre stays reachable without accepting.
    assert client.get(reverse("privacy_centre")).status_code == 200
    response = client.post(reverse("policy_accept"), {"next": "/"})
    assert response.status_code == 302
    acceptance = PolicyAcceptance.objects.get()
    assert (acceptance.version, acceptance.how) == (version, "interstitial")
    assert client.get(reverse("home")).status_code == 200


def test_a_non_material_change_does_not_interrupt(client, existing_user, password, publish):
    publish(material=False)
    sign_in(client, existing_user, password)
    assert client.get(reverse("home")).status_code == 200


def test_not_before_the_effective_date_and_not_for_newer_accounts(
    client, existing_user, password, publish, alice
):
    publish(material=True, effective_in=timedelta(days=3))
    sign_in(client, existing_user, password)
    assert client.get(reverse("home")).status_code == 200  # not in force yet
    assert selectors.versions_awaiting_acceptance(user=alice) == []


def test_accepting_through_the_api(client, existing_user, password, publish):
    version = publish(material=True, slug="terms")
    sign_in(client, existing_user, password)
    response = client.post(
        "/api/v1/me/policy-acceptances",
        {"document": "terms", "version": version.number},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["how"] == "api"
    again = client.post(
        "/api/v1/me/policy-acceptances",
        {"document": "terms", "version": version.number},
        content_type="application/json",
    )
    assert again.status_code == 201 and PolicyAcceptance.objects.count() == 1  # idempotent
    assert client.get("/api/v1/me/policy-acceptances").json()["results"][0]["document"] == "terms"
    assert_error(
        client.post(
            "/api/v1/me/policy-acceptances",
            {"document": "terms", "version": 99},
            content_type="application/json",
        ),
        404,
    )
    assert_error(
        client.post("/api/v1/me/policy-acceptances", {"document": "terms"}, content_type="application/json"),
        400,
    )
