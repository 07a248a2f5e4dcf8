"""The integrations API: my sharing log (keyset pages, filters), the public
catalogue, my installations, the organisation's installations and sharing log
(member detail only where allowed), and the staff provider register. Bad input
gets the documented error and writes nothing. Which persona may call each
organisation operation is in tests/organizations/test_access_matrix.py."""

import json

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from audit.events import EventType
from audit.models import AuditEvent
from integrations.models import Installation, Provider, SharingEvent, WebhookDelivery
from integrations.services import installation_create
from organizations.models import DataPolicy, Team
from subjects.services import secret_unseal
from tests.conftest import assert_error
from tests.factories import UserFactory

from .helpers import emails_sent_about, provider

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def nothing_written():
    return not (
        Installation.objects.exists() or SharingEvent.objects.exists() or WebhookDelivery.objects.exists()
    )


# --- My sharing log --------------------------------------------------------------------


def test_my_sharing_log_pages_by_cursor_and_filters(alice, bob):
    installation_create(user=alice, provider=provider("calendar-sync"), fields=["identity.name"])
    emails_sent_about(alice, 60)
    emails_sent_about(bob, 5)
    client = api(alice)

    first = client.get("/api/v1/me/data-sharing").json()
    assert len(first["results"]) == 50 and first["next"] is not None
    second = client.get("/api/v1/me/data-sharing", {"before": first["next"]}).json()
    assert len(second["results"]) == 11 and second["next"] is None
    ids = [e["id"] for e in first["results"] + second["results"]]
    assert len(set(ids)) == 61  # every share once, none of Bob's

    newest = client.get("/api/v1/me/data-sharing", {"provider": "calendar-sync"}).json()["results"]
    assert len(newest) == 1
    share = newest[0]
    assert share["provider"] == {"slug": "calendar-sync", "name": "Calendar Sync", "kind": "integration"}
    assert share["fields"] == [{"key": "identity.name", "label": "Your name"}]
    assert share["categories"] == [{"key": "identity", "label": "Identity"}]
    assert share["legal_basis"] == "consent" and share["delivery_status"] == "pending"
    assert share["purpose"].startswith("Match your calendar account")
    emails = client.get("/api/v1/me/data-sharing", {"category": "profile"}).json()["results"]
    assert len(emails) == 50 and {e["delivery_status"] for e in emails} == {"handed_over"}


def test_my_sharing_log_errors(alice):
    assert_error(api().get("/api/v1/me/data-sharing"), 401)
    assert_error(api(alice).get("/api/v1/me/data-sharing", {"category": "secrets"}), 400, "invalid")
    assert_error(api(alice).get("/api/v1/me/data-sharing", {"before": "0"}), 400, "invalid")


# --- Catalogue and my installations --------------------------------------------------------


def test_the_catalogue_is_public():
    body = api().get("/api/v1/integrations").json()
    slugs = [p["slug"] for p in body["results"]]
    assert slugs == ["calendar-sync", "expense-reports", "standup-bot"]  # integrations only
    standup = body["results"][2]
    assert [f["key"] for f in standup["fields"]] == ["identity.id", "identity.name", "team.name", "team.role"]
    assert "webhook_url" not in standup


def test_adding_listing_and_removing_my_integration(alice, bob, django_capture_on_commit_callbacks):
    client = api(alice)
    with django_capture_on_commit_callbacks():
        response = post(
            client, "/api/v1/me/integrations", {"provider": "calendar-sync", "fields": ["identity.email"]}
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["audience"] == "me" and body["status"] == "active"
    assert body["granted_fields"] == [{"key": "identity.email", "label": "Your email address"}]
    assert body["shares"] == 1 and body["people"] == 1
    assert SharingEvent.objects.get().fields == ["identity.email"]

    listed = client.get("/api/v1/me/integrations").json()
    assert [i["id"] for i in listed["results"]] == [body["id"]]
    assert api(bob).get("/api/v1/me/integrations").json()["results"] == []
    assert_error(api(bob).delete(f"/api/v1/me/integrations/{body['id']}"), 404)

    with django_capture_on_commit_callbacks():
        assert client.delete(f"/api/v1/me/integrations/{body['id']}").status_code == 204
    assert client.get(f"/api/v1/me/integrations/{body['id']}").json()["status"] == "removed"
    assert client.delete(f"/api/v1/me/integrations/{body['id']}").status_code == 204  # again: no change


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"provider": "calendar-sync", "fields": ["organisation.name"]},
            400,
            "invalid",
        ),  # needs organization
        ({"provider": "calendar-sync", "fields": ["profile.language"]}, 400, "undeclared_fields"),
        ({"provider": "calendar-sync", "fields": ["identity.secret"]}, 400, "invalid"),
        ({"provider": "calendar-sync", "fields": []}, 400, "invalid"),
        ({"provider": "calendar-sync", "fields": ["identity.id"], "scopes": ["all"]}, 400, "invalid"),
        ({"provider": "standup-bot", "fields": ["team.name"]}, 400, "team_fields_need_team"),
        ({"provider": "mailstream", "fields": ["identity.email"]}, 404, None),
        ({"provider": "calendar-sync", "fields": ["identity.id"], "organization": "globex"}, 404, None),
    ],
)
def test_bad_personal_installs_write_nothing(alice, globex, body, status, code):
    assert_error(post(api(alice), "/api/v1/me/integrations", body), status, code)
    assert nothing_written()


def test_organisation_fields_with_my_organisation(member, acme):
    response = post(
        api(member.user),
        "/api/v1/me/integrations",
        {"provider": "expense-reports", "fields": ["organisation.role"], "organization": "acme"},
    )
    assert response.status_code == 201 and response.json()["organization"] == "acme"
    assert SharingEvent.objects.get().organization_id == acme.pk


# --- The organisation's integrations ----------------------------------------------------------


def test_a_team_admin_adds_for_their_team_only(member, engineering, acme, globex):
    sales = Team.objects.create(organization=acme, name="Sales", slug="sales")
    client = api(member.user)
    url = "/api/v1/orgs/acme/integrations"
    body = {"provider": "standup-bot", "team_id": sales.pk, "fields": ["identity.id"]}
    assert_error(post(client, url, body), 403, "not_team_admin")
    assert_error(post(client, url, {**body, "team_id": 999_999}), 404)
    assert_error(post(client, url, {**body, "team_id": engineering.pk, "fields": ["identity.email"]}), 400)
    assert_error(post(client, url, {**body, "team_id": engineering.pk, "extra": 1}), 400, "invalid")
    assert nothing_written()

    response = post(client, url, {**body, "team_id": engineering.pk, "fields": ["identity.id", "team.role"]})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["audience"] == "team" and created["team"] == {"id": engineering.pk, "name": "Engineering"}
    assert created["installed_by"]["email"] == member.user.email
    assert client.get(url).json()["results"][0]["id"] == created["id"]
    assert client.get(f"{url}/{created['id']}").json()["people"] == 1


def test_the_organisation_sharing_log_names_members_only_where_allowed(owner, admin, member, engineering):
    installation = installation_create(
        user=member.user,
        provider=provider("standup-bot"),
        fields=["team.name"],
        membership=member,
        team=engineering,
    )
    counts = api(owner.user).get("/api/v1/orgs/acme/data-sharing").json()
    assert counts["member_detail"] is False and counts["next"] is None
    [share] = counts["results"]
    assert share["people"] == 1 and share["members"] is None
    assert share["installation"] == str(installation.public_id)
    assert share["fields"] == [{"key": "team.name", "label": "The team's name"}]

    DataPolicy.objects.create(organization=owner.organization, review_allowed_for=DataPolicy.Who.OWNERS)
    detail = (
        api(owner.user).get("/api/v1/orgs/acme/data-sharing", {"installation": installation.public_id}).json()
    )
    assert detail["member_detail"] is True
    assert [m["email"] for m in detail["results"][0]["members"]] == [member.user.email]
    assert api(admin.user).get("/api/v1/orgs/acme/data-sharing").json()["member_detail"] is False


def test_the_organisation_sharing_log_keeps_to_the_organisation(owner, outsider, globex):
    installation_create(
        user=outsider.user,
        provider=provider("expense-reports"),
        fields=["organisation.name"],
        membership=outsider,
    )
    assert api(owner.user).get("/api/v1/orgs/acme/data-sharing").json()["results"] == []
    foreign = Installation.objects.get()
    assert_error(
        api(owner.user).get("/api/v1/orgs/acme/data-sharing", {"installation": foreign.public_id}), 404
    )


# --- The provider register ------------------------------------------------------------------


@pytest.fixture
def officer(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return user


def test_the_register_is_for_privacy_officers(alice, officer):
    assert_error(api().get("/api/v1/providers"), 401)
    assert_error(api(alice).get("/api/v1/providers"), 403, "not_privacy_officer")
    assert_error(post(api(alice), "/api/v1/providers", {"slug": "x"}), 403)
    assert_error(api(alice).patch("/api/v1/providers/mailstream", {"name": "X"}, format="json"), 403)
    body = api(officer).get("/api/v1/providers", {"kind": "service_provider"}).json()
    assert {p["slug"] for p in body["results"]} >= {"mailstream", "northwind-hosting"}
    assert all(p["kind"] == "service_provider" and p["signing_secret"] is None for p in body["results"])


def test_creating_and_changing_providers(officer):
    client = api(officer)
    response = post(
        client,
        "/api/v1/providers",
        {
            "slug": "whiteboard",
            "kind": "integration",
            "name": "Whiteboard",
            "purpose": "Show who is drawing.",
            "fields": ["identity.id"],
            "webhook_url": "https://hooks.whiteboard.example/in",
        },
    )
    assert response.status_code == 201, response.content
    secret = response.json()["signing_secret"]
    assert secret and secret_unseal(Provider.objects.get(slug="whiteboard").signing_secret_sealed) == secret
    assert client.get("/api/v1/providers/whiteboard").json()["signing_secret"] is None

    changed = client.patch("/api/v1/providers/whiteboard", {"purpose": "Show who draws."}, format="json")
    assert changed.status_code == 200 and changed.json()["purpose"] == "Show who draws."
    rotated = client.patch("/api/v1/providers/whiteboard", {"rotate_secret": True}, format="json").json()
    assert rotated["signing_secret"] not in (None, secret)
    actions = [
        e.changes["action"]
        for e in AuditEvent.objects.filter(event_type=EventType.PROVIDER_CHANGED).order_by("id")
    ]
    assert actions == ["created", "updated", "secret_rotated"]


@pytest.mark.parametrize(
    ("slug", "body", "code"),
    [
        ("mailstream", {"webhook_url": "https://x.example/"}, "not_for_this_kind"),
        ("calendar-sync", {"country": "SE"}, "not_for_this_kind"),
        ("calendar-sync", {"webhook_url": "http://hooks.example/"}, "webhook_url_not_https"),
        ("calendar-sync", {"fields": ["identity.secret"]}, "invalid"),
        ("calendar-sync", {"kind": "service_provider"}, "invalid"),  # the kind is fixed
        ("calendar-sync", {}, "invalid"),
        # A refused rotation leaves the other changes unwritten too.
        ("mailstream", {"purpose": "Something else.", "rotate_secret": True}, "not_an_integration"),
    ],
)
def test_bad_register_changes_write_nothing(officer, slug, body, code):
    before = Provider.objects.values().get(slug=slug)
    assert_error(api(officer).patch(f"/api/v1/providers/{slug}", body, format="json"), 400, code)
    assert Provider.objects.values().get(slug=slug) == before
    assert not AuditEvent.objects.filter(event_type=EventType.PROVIDER_CHANGED).exists()


def test_a_duplicate_slug_is_a_conflict(officer):
    body = {
        "slug": "mailstream",
        "kind": "service_provider",
        "name": "Mail 2",
        "purpose": "Mail.",
        "fields": ["identity.email"],
        "service": "email",
        "agreement_reference": "DPA-1",
        "country": "SE",
    }
    assert_error(post(api(officer), "/api/v1/providers", body), 409, "slug_taken")
