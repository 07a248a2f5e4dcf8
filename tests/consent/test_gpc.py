"""Global Privacy Control: the Sec-GPC header counts only when a value is
exactly 1, and /.well-known/gpc.json says the site honours the signal and
since when its privacy policy has applied (the GPC draft's support resource)."""

from datetime import UTC, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from policies import services as policy_services
from policies.models import PolicyDocument
from policies.selectors import version_in_force
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_support_resource_names_the_day_the_privacy_policy_in_force_took_effect(client):
    response = client.get("/.well-known/gpc.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    privacy = PolicyDocument.objects.get(slug="privacy")
    in_force = version_in_force(document=privacy).effective_at
    assert body == {"gpc": True, "lastUpdate": in_force.astimezone(UTC).date().isoformat()}
    assert reverse("gpc_support") == "/.well-known/gpc.json"


def test_a_new_version_moves_the_date_only_once_it_is_in_force(client):
    officer = UserFactory(date_joined=timezone.now() - timedelta(days=90))
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    privacy = PolicyDocument.objects.get(slug="privacy")
    before = client.get("/.well-known/gpc.json").json()["lastUpdate"]
    future = timezone.now() + timedelta(days=40)
    policy_services.policy_draft_create(
        actor=officer,
        document=privacy,
        body=version_in_force(document=privacy).body + "\n\nLater.\n",
        summary="Later.",
        effective_at=future,
        material=False,
        publish=True,
    )
    assert client.get("/.well-known/gpc.json").json()["lastUpdate"] == before
    now = timezone.now()
    policy_services.policy_draft_create(
        actor=officer,
        document=privacy,
        body=version_in_force(document=privacy).body + "\n\nNow.\n",
        summary="Now.",
        effective_at=now,
        material=False,
        publish=True,
    )
    assert client.get("/.well-known/gpc.json").json()["lastUpdate"] == now.astimezone(UTC).date().isoformat()


@pytest.mark.parametrize(
    ("sent", "signal"),
    [
        (None, None),
        ("1", True),
        (" 1 ", True),
        ("0", False),
        ("true", False),
        ("1.0", False),
        ("", False),
        ("0, 1", True),  # the header twice: one of them is exactly 1
        ("1,1", True),
        ("0,0", False),
    ],
)
def test_sec_gpc_counts_only_when_a_value_is_exactly_1(rf, sent, signal):
    from consent.context import request_signals

    request = rf.get("/", **({} if sent is None else {"HTTP_SEC_GPC": sent}))
    assert request_signals(request)["gpc"] is signal
