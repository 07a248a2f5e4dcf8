"""The provider register in the staff console: privacy officers only; creating
both kinds, editing, the signing secret shown once (after create or rotation),
every change audited."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.events import EventType
from audit.models import AuditEvent
from integrations.models import Provider
from subjects.services import secret_unseal
from tests.factories import UserFactory

from .helpers import provider, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    user = UserFactory(email="officer@icentrex.example", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return user


@pytest.fixture
def agent(db):
    user = UserFactory(email="agent@icentrex.example", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="support")[0])
    return user


INTEGRATION = {
    "slug": "whiteboard",
    "name": "Whiteboard",
    "description": "A shared whiteboard for meetings.",
    "purpose": "Show who is drawing.",
    "received_fields": ["identity.id", "identity.name"],
    "webhook_url": "https://hooks.whiteboard.example/icentrex",
    "active": "on",
}
SERVICE_PROVIDER = {
    "slug": "ledgerly",
    "name": "Ledgerly",
    "purpose": "Keeps iCentrex's books.",
    "received_fields": ["identity.name", "organisation.name"],
    "service": "payment",
    "agreement_reference": "DPA-2026-031",
    "country": "DE",
    "transfer_mechanism": "",
    "active": "on",
}


def register_events():
    return list(AuditEvent.objects.filter(event_type=EventType.PROVIDER_CHANGED).order_by("id"))


def test_only_privacy_officers_open_the_register(client, officer, agent, alice):
    urls = [
        reverse("staff_providers"),
        reverse("staff_provider", args=["calendar-sync"]),
        reverse("staff_provider_create", args=["integration"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
        assert signed_in(agent).get(url).status_code == 403
        assert signed_in(alice).get(url).status_code == 403
        assert signed_in(officer).get(url).status_code == 200
    response = signed_in(agent).post(reverse("staff_provider_rotate_secret", args=["calendar-sync"]))
    assert response.status_code == 403 and not register_events()


def test_the_register_lists_both_kinds_and_is_in_the_staff_nav(officer):
    client = signed_in(officer)
    html = client.get(reverse("staff_providers")).content.decode()
    for name in ["Calendar Sync", "Standup Bot", "Northwind Cloud", "Mailstream", "DPA-2024-031"]:
        assert name in html
    assert 'href="/staff/providers/"' in client.get(reverse("staff_home")).content.decode()
    only = client.get(reverse("staff_providers"), {"kind": "service_provider"}).content.decode()
    assert "Northwind Cloud" in only and "Calendar Sync" not in only


def test_creating_an_integration_shows_its_secret_once(officer):
    client = signed_in(officer)
    response = client.post(reverse("staff_provider_create", args=["integration"]), INTEGRATION)
    assert response.status_code == 200
    html = response.content.decode()
    created = Provider.objects.get(slug="whiteboard")
    secret = secret_unseal(created.signing_secret_sealed)
    assert "It will not be shown again" in html and secret in html
    assert created.kind == "integration" and created.fields == ["identity.id", "identity.name"]
    assert created.signing_secret_sealed != secret  # stored sealed
    [event] = register_events()
    assert event.changes["action"] == "created" and event.changes["provider"] == "whiteboard"
    assert event.actor_subject is not None
    # Never again.
    assert secret not in client.get(reverse("staff_provider", args=["whiteboard"])).content.decode()


def test_creating_a_service_provider(officer):
    client = signed_in(officer)
    form = client.get(reverse("staff_provider_create", args=["service-provider"])).content.decode()
    assert 'name="agreement_reference"' in form and 'name="webhook_url"' not in form
    response = client.post(reverse("staff_provider_create", args=["service-provider"]), SERVICE_PROVIDER)
    assert response.status_code == 302 and response.url == reverse("staff_provider", args=["ledgerly"])
    created = Provider.objects.get(slug="ledgerly")
    assert created.service == "payment" and created.country == "DE" and not created.signing_secret_sealed
    # A new sub-processor is announced now and in use only after the notice period.
    assert not created.active
    (change,) = created.changes.all()
    assert change.kind == "add" and change.applied_at is None
    assert [e.changes["action"] for e in register_events()] == ["created", "subprocessor_change_scheduled"]


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("integration", {"webhook_url": "http://hooks.example/x"}, "must be an https:// address"),
        ("integration", {"received_fields": []}, "Choose at least one field."),
        ("integration", {"slug": "calendar-sync"}, "exists already"),
        ("service-provider", {"country": "sweden"}, "two-letter code"),
        ("service-provider", {"agreement_reference": ""}, "This field is required."),
    ],
)
def test_bad_register_input_writes_nothing(officer, kind, data, message):
    base = INTEGRATION if kind == "integration" else SERVICE_PROVIDER
    before = Provider.objects.count()
    response = signed_in(officer).post(reverse("staff_provider_create", args=[kind]), {**base, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Provider.objects.count() == before and not register_events()


def test_editing_audits_old_and_new(officer):
    client = signed_in(officer)
    url = reverse("staff_provider", args=["mailstream"])
    form = client.get(url).content.decode()
    assert "DPA-2024-031" in form and 'name="slug"' not in form  # the slug is fixed
    data = {
        "name": "Mailstream",
        "description": "",
        "purpose": "Delivers iCentrex's emails.",
        "received_fields": ["identity.email", "profile.language"],
        "service": "email",
        "agreement_reference": "DPA-2024-031",
        "country": "IE",
        "transfer_mechanism": "None needed: data stays in the EEA",
        "active": "on",
    }
    data["description"] = "Our email vendor."  # not in the notice: changes at once
    assert client.post(url, data).status_code == 302
    mailstream = provider("mailstream")
    # The purpose is what subscribers are told about: announced, applied after the notice period.
    assert mailstream.purpose == "Delivers the emails iCentrex sends you (notices, invitations, answers)."
    assert mailstream.description == "Our email vendor."
    (change,) = mailstream.changes.all()
    assert change.kind == "change" and change.values == {"purpose": "Delivers iCentrex's emails."}
    scheduled, updated = register_events()
    assert scheduled.changes["action"] == "subprocessor_change_scheduled"
    assert updated.changes == {
        "action": "updated",
        "provider": "mailstream",
        "changes": {"description": ["", "Our email vendor."]},
    }


def test_rotating_the_secret(officer):
    client = signed_in(officer)
    old = secret_unseal(provider("calendar-sync").signing_secret_sealed)
    html = client.post(reverse("staff_provider_rotate_secret", args=["calendar-sync"])).content.decode()
    new = secret_unseal(provider("calendar-sync").signing_secret_sealed)
    assert new != old and new in html and "It will not be shown again" in html
    assert register_events()[0].changes == {"action": "secret_rotated", "provider": "calendar-sync"}
    # A service provider has no secret to rotate.
    response = client.post(reverse("staff_provider_rotate_secret", args=["mailstream"]))
    assert response.status_code == 400 and len(register_events()) == 1
