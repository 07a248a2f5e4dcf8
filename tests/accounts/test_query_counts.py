"""Query counts stay flat as data grows (guards against N+1 regressions)."""

import pytest
from django.urls import reverse

from accounts.services import api_token_create, user_update_profile
from audit.events import EventType
from audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_get_me_with_a_token(alice_api, django_assert_num_queries):
    alice_api.get(reverse("api-me"))  # first use records last_used_at
    # token + user in one query, then whether two-factor is on
    with django_assert_num_queries(2):
        assert alice_api.get(reverse("api-me")).status_code == 200


@pytest.mark.parametrize("tokens", [1, 20])
def test_token_list_does_not_grow_with_tokens(alice_api, alice, tokens, django_assert_num_queries):
    for n in range(tokens - 1):
        api_token_create(actor=alice, name=f"t{n}")
    alice_api.get(reverse("api-tokens"))
    with django_assert_num_queries(3):  # auth, count, page
        assert alice_api.get(reverse("api-tokens")).json()["count"] == tokens


@pytest.mark.parametrize("events", [2, 30])
def test_activity_page_does_not_grow_with_events(
    client, alice, password, events, django_assert_max_num_queries
):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    for n in range(events):
        user_update_profile(actor=alice, user=alice, name=f"Alice {n}", language="")
        audit_record(event_type=EventType.USER_SIGNED_IN, actor=alice)
    client.get(reverse("privacy_activity"))  # warm what pages keep in the cache (the footer's opt-out link)
    # (+1 in tests: the policy versions in force, kept in process otherwise, for the update banner)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("privacy_activity"))
    assert page.status_code == 200
    assert "Alice 1" in page.content.decode()
