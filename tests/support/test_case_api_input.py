"""Opening a case over the API: the schema promises `organization` is a short name or
null, so a blank one is refused instead of quietly becoming "no organisation" (found by
the schemathesis contract run)."""

import pytest
from django.urls import reverse

from support.models import SupportCase
from tests.conftest import assert_error


@pytest.mark.django_db
def test_a_blank_organisation_is_refused_and_writes_nothing(alice_api):
    url = reverse("api-support-cases")
    body = assert_error(
        alice_api.post(url, {"subject": "Hi", "body": "Help", "organization": ""}, format="json"), 400
    )
    assert "organization" in body["fields"]
    assert not SupportCase.objects.exists()


@pytest.mark.django_db
def test_no_organisation_or_null_still_opens_a_case(alice_api):
    url = reverse("api-support-cases")
    assert alice_api.post(url, {"subject": "Hi", "body": "Help"}, format="json").status_code == 201
    opened = alice_api.post(url, {"subject": "Hi", "body": "Help", "organization": None}, format="json")
    assert opened.status_code == 201 and opened.json()["organization"] is None
