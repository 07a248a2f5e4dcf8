"""Where a person lands after signing in: staff in the staff console, everyone
else in the privacy centre; a ``next`` always wins."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _staff(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def _sign_in(client, user, password, **query):
    url = reverse("account_login")
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, {"login": user.email, "password": password})


@pytest.mark.parametrize("group", ["support", "privacy_officer"])
def test_staff_land_on_the_staff_console(client, password, group):
    response = _sign_in(client, _staff(group), password)
    assert response.status_code == 302 and response["Location"] == reverse("staff_home")


def test_people_land_on_their_privacy_centre(client, password, alice):
    response = _sign_in(client, alice, password)
    assert response.status_code == 302 and response["Location"] == reverse("privacy_centre")


def test_next_wins_over_the_staff_console(client, password):
    response = _sign_in(client, _staff("support"), password, next=reverse("privacy_cookies"))
    assert response.status_code == 302 and response["Location"] == reverse("privacy_cookies")
