"""POST /me/export takes no input: an empty body or {} asks for an export; a JSON null
(or any non-object) is refused like an unknown field, not read as "nothing" (found by the
schemathesis contract run)."""

import pytest
from django.urls import reverse

from data_requests.models import PersonalExport
from tests.conftest import assert_error


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["null", "[]", '"x"'])
def test_a_body_that_is_not_an_object_is_refused_and_writes_nothing(alice_api, body):
    response = alice_api.post(reverse("api-my-export"), body, content_type="application/json")
    assert_error(response, 400)
    assert not PersonalExport.objects.exists()


@pytest.mark.django_db
def test_an_empty_object_asks_for_an_export(alice_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = alice_api.post(reverse("api-my-export"), {}, format="json")
    assert response.status_code == 202
    assert PersonalExport.objects.count() == 1
