"""The "accept the new policy" gate is for people using the service, not for
iCentrex staff at work: a privacy officer follows their own new version's
progress in the staff console without accepting it first."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from policies import selectors, services
from policies.models import PolicyAcceptance, PolicyDocument
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    user = UserFactory(
        email="po@icentrex.example", is_staff=True, date_joined=timezone.now() - timedelta(days=30)
    )
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return user


@pytest.fixture
def material_version(officer):
    document = PolicyDocument.objects.get(slug="privacy")
    draft = services.policy_draft_create(
        actor=officer,
        document=document,
        body=selectors.version_in_force(document=document).body + "\n\nA material change.\n",
        summary="Changed.",
        effective_at=timezone.now(),
        material=True,
    )
    return services.policy_publish(actor=officer, version=draft)


def test_the_officer_sees_the_progress_of_their_version_without_accepting(
    client, password, officer, material_version
):
    client.post(reverse("account_login"), {"login": officer.email, "password": password})
    assert selectors.versions_awaiting_acceptance(user=officer)  # the gate has something to ask
    progress = reverse("staff_policy_notices", args=[material_version.pk])
    for url in (reverse("staff_home"), reverse("staff_policy_notice_runs"), progress):
        response = client.get(url)
        assert response.status_code == 200, url
    # The page polls its progress with htmx: the fragment comes back, not the interstitial.
    fragment = client.get(progress, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    # The service itself still asks them, as it asks everyone.
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("policy_accept"))
    assert not PolicyAcceptance.objects.exists()


def test_an_htmx_request_elsewhere_is_not_redirected_to_the_interstitial(
    client, password, officer, material_version
):
    client.post(reverse("account_login"), {"login": officer.email, "password": password})
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 200
