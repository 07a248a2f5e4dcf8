import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import UserFactory


def _staff(email, group):
    user = UserFactory(email=email, name=f"Staff {group}", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def agent(db):
    """A support agent (staff group ``support``)."""
    return _staff("agent@icentrex.example", "support")


@pytest.fixture
def officer(db):
    return _staff("po@icentrex.example", "privacy_officer")


@pytest.fixture
def sign_in(client, password):
    def as_(user, a_client=None):
        a_client = a_client or client
        response = a_client.post(reverse("account_login"), {"login": user.email, "password": password})
        assert response.status_code == 302, response.content
        return a_client

    return as_


@pytest.fixture
def kid(db):
    """The account reported as belonging to a child under 13."""
    return UserFactory(email="kid@example.org", name="Kim Kid")


REPORT = {
    "reporter_email": "parent@example.net",
    "reported_email": "kid@example.org",
    "reported_details": "Kim, in the Design team at Acme",
    "description": "This is my son; he is 11 and signed up with his school address.",
}

QUESTION = {
    "name": "Pat Person",
    "email": "pat@example.net",
    "subject": "Where is my data stored?",
    "message": "Which countries is my data stored in, and who can see it?",
}
