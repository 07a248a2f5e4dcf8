"""Sharing with integrations: what is shared and logged, and signed webhook
delivery to a real local HTTP receiver that checks the signature and the
timestamp window itself."""

import hashlib
import hmac
import json
import logging
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from audit.streams import StreamCheck, stream_seal, stream_verify
from audit.tasks import evidence_verify
from core.errors import Forbidden, RuleViolation
from integrations import selectors, services
from integrations.models import Installation, Provider, SharingEvent, SharingSeal, WebhookDelivery
from integrations.services import webhooks
from integrations.tasks import webhook_deliver
from organizations.models import Membership, Organization, Team, TeamMembership
from subjects.services import secret_seal, subject_key_for_user
from tests.factories import UserFactory
from tests.tamper import bypass_triggers
from tools.net import free_port

pytestmark = pytest.mark.django_db

SECRET = "whsec-test-0123456789"
REPLAY_WINDOW = 300


class Receiver:
    """A provider's endpoint: verifies each request independently of the app's code."""

    def __init__(self):
        self.mode = "ok"
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                parts = dict(p.split("=", 1) for p in self.headers.get("X-iCentrex-Signature", "").split(","))
                timestamp = int(parts.get("t", "0"))
                expected = hmac.new(
                    SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
                ).hexdigest()
                receiver.requests.append(
                    {
                        "verified": hmac.compare_digest(expected, parts.get("v1", "")),
                        "fresh": abs(time.time() - timestamp) <= REPLAY_WINDOW,
                        "key": self.headers.get("Idempotency-Key"),
                        "body": json.loads(body),
                    }
                )
                if receiver.mode == "timeout":
                    time.sleep(1.5)
                if receiver.mode == "garbage":
                    self.wfile.write(b"this is not HTTP\r\n\r\n")
                    return
                self.send_response(500 if receiver.mode == "fail" else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def provider(receiver):
    return Provider.objects.create(
        slug="test-bot",
        name="Test Bot",
        kind=Provider.Kind.INTEGRATION,
        purpose="Testing deliveries.",
        fields=["identity.id", "identity.name", "identity.email", "team.name", "team.role"],
        webhook_url=receiver.url,
        signing_secret_sealed=secret_seal(SECRET),
    )


@pytest.fixture
def org():
    acme = Organization.objects.create(name="Acme", slug="acme")
    people = {}
    for name, role in [("owner", "owner"), ("lead", "member"), ("dev", "member"), ("other", "member")]:
        user = UserFactory(email=f"{name}@acme.example", name=name.title())
        people[name] = Membership.objects.create(
            organization=acme, user=user, role=role, is_primary_owner=(role == "owner")
        )
    red, blue = (
        Team.objects.create(organization=acme, name="Red", slug="red"),
        Team.objects.create(organization=acme, name="Blue", slug="blue"),
    )
    TeamMembership.objects.create(team=red, membership=people["lead"], role="team_admin")
    TeamMembership.objects.create(team=red, membership=people["dev"])
    TeamMembership.objects.create(team=blue, membership=people["other"], role="team_admin")
    return {"org": acme, "red": red, "blue": blue, **people}


def deliver_all():
    for pk in WebhookDelivery.objects.filter(status="pending").values_list("pk", flat=True):
        services.webhook_deliver_once(delivery_id=pk)


def test_adding_for_myself_shares_exactly_the_granted_fields_and_logs_them(provider, receiver):
    alice = UserFactory(email="alice@example.org", name="Alice")
    installation = services.installation_create(
        user=alice, provider=provider, fields=["identity.id", "identity.name"]
    )
    event = SharingEvent.objects.get()
    assert event.subject_key == subject_key_for_user(user=alice)
    assert event.fields == ["identity.id", "identity.name"] and event.category_list == ["identity"]
    assert event.legal_basis == "consent" and event.installation_id == installation.public_id
    assert event.purpose == "Testing deliveries." and event.record_hash == event.compute_hash()

    deliver_all()
    (request,) = receiver.requests
    assert request["verified"] and request["fresh"]
    delivery = WebhookDelivery.objects.get()
    assert request["key"] == str(delivery.idempotency_key) == request["body"]["id"]
    (person,) = request["body"]["data"]["people"]
    assert set(person) == {"identity.id", "identity.name"} and person["identity.name"] == "Alice"
    assert "alice@example.org" not in json.dumps(request["body"])
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    log = selectors.sharing_log_for(user=alice)
    assert [e.fields for e in log.events] == [["identity.id", "identity.name"]]
    assert log.events[0].delivery_status == "delivered"


def test_the_pseudonymous_id_differs_between_installations(provider, receiver):
    alice = UserFactory(email="alice@example.org")
    services.installation_create(user=alice, provider=provider, fields=["identity.id"])
    services.installation_create(user=alice, provider=provider, fields=["identity.id"])
    deliver_all()
    ids = {r["body"]["data"]["people"][0]["identity.id"] for r in receiver.requests}
    assert len(ids) == 2


def test_a_team_admin_shares_their_team_and_everyone_in_it_sees_it(provider, receiver, org):
    services.installation_create(
        user=org["lead"].user,
        provider=provider,
        fields=["identity.name", "team.role"],
        membership=org["lead"],
        team=org["red"],
    )
    deliver_all()
    people = receiver.requests[0]["body"]["data"]["people"]
    assert sorted(p["identity.name"] for p in people) == ["Dev", "Lead"]
    assert {p["team.role"] for p in people} == {"team_admin", "member"}
    for name in ("lead", "dev"):
        (event,) = selectors.sharing_log_for(user=org[name].user).events
        assert event.team_id == org["red"].pk and event.organization_id == org["org"].pk
    assert selectors.sharing_log_for(user=org["other"].user).events == []


@pytest.mark.parametrize(
    "who, team, fields, error, code",
    [
        ("lead", "blue", ["identity.name"], Forbidden, "not_team_admin"),  # not their team
        ("dev", "red", ["identity.name"], Forbidden, "not_team_admin"),  # a member, not a team admin
        ("lead", "red", ["identity.name", "profile.language"], RuleViolation, "undeclared_fields"),
        ("lead", "red", [], RuleViolation, "no_fields"),
        ("lead", None, ["team.name"], RuleViolation, "team_fields_need_team"),
    ],
)
def test_refused_installations_write_nothing(provider, org, who, team, fields, error, code):
    with pytest.raises(error) as refused:
        services.installation_create(
            user=org[who].user,
            provider=provider,
            fields=fields,
            membership=org[who],
            team=org[team] if team else None,
        )
    assert refused.value.code == code
    assert not Installation.objects.exists() and not SharingEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_an_admin_may_install_for_any_team_but_not_a_foreign_one(provider, org):
    services.installation_create(
        user=org["owner"].user,
        provider=provider,
        fields=["identity.name"],
        membership=org["owner"],
        team=org["blue"],
    )
    globex = Organization.objects.create(name="Globex", slug="globex")
    foreign = Team.objects.create(organization=globex, name="Green", slug="green")
    with pytest.raises(Forbidden):
        services.installation_create(
            user=org["owner"].user,
            provider=provider,
            fields=["identity.name"],
            membership=org["owner"],
            team=foreign,
        )


def test_failures_are_retried_with_back_off_then_marked_failed(provider, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_RETRY_SECONDS = 30
    receiver.mode = "fail"
    services.installation_create(user=UserFactory(), provider=provider, fields=["identity.id"])
    delivery = WebhookDelivery.objects.get()
    assert services.webhook_deliver_once(delivery_id=delivery.pk) == 30
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    assert services.webhook_deliver_once(delivery_id=delivery.pk) > 25  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert services.webhook_deliver_once(delivery_id=delivery.pk) == 60
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert services.webhook_deliver_once(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert (
        selectors.sharing_log_for(user=delivery.installation.installed_by).events[0].delivery_status
        == "failed"
    )
    # Every attempt carried the same idempotency key.
    assert {r["key"] for r in receiver.requests} == {str(delivery.idempotency_key)}


@pytest.mark.parametrize("mode, error", [("timeout", "ReadTimeout"), ("garbage", "ConnectionError")])
def test_timeouts_and_garbage_are_retried(provider, receiver, settings, mode, error):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.mode = mode
    services.installation_create(user=UserFactory(), provider=provider, fields=["identity.id"])
    delivery = WebhookDelivery.objects.get()
    assert services.webhook_deliver_once(delivery_id=delivery.pk) is not None
    delivery.refresh_from_db()
    assert delivery.status == "pending" and error in delivery.last_error


# Where a webhook URL keeps its secret (Slack's /services/T…/B…/<secret>), and a query's token.
SECRET_PATH_AND_QUERY = "/services/T0/B0/s3cr3tPath?token=t0k3nQuery"


@pytest.mark.parametrize(
    "where, mode, error",
    [
        ("a closed port", "ok", "ConnectionError (refused)"),
        ("an unknown host", "ok", "ConnectionError (DNS)"),
        ("the receiver, over TLS", "ok", "SSLError (TLS)"),
        ("the receiver", "timeout", "ReadTimeout (timeout)"),
        ("the receiver", "garbage", "ConnectionError (not an HTTP response)"),
    ],
)
def test_a_failed_delivery_is_stored_and_logged_with_its_kind_and_never_its_url(
    provider, receiver, settings, caplog, where, mode, error
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.mode = mode
    receiver_host = f"127.0.0.1:{receiver.server.server_port}"
    origin = {
        "a closed port": f"http://127.0.0.1:{free_port()}",  # nothing listens there
        "an unknown host": "http://hooks.invalid",
        "the receiver, over TLS": f"https://{receiver_host}",
        "the receiver": f"http://{receiver_host}",
    }[where]
    Provider.objects.filter(pk=provider.pk).update(webhook_url=origin + SECRET_PATH_AND_QUERY)
    services.installation_create(user=UserFactory(), provider=provider, fields=["identity.id"])
    delivery = WebhookDelivery.objects.get()
    with caplog.at_level(logging.WARNING):
        assert services.webhook_deliver_once(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("failed", error)
    assert f"failed for good: {error}" in caplog.text
    assert "s3cr3t" not in caplog.text and "t0k3n" not in caplog.text


def test_a_delivery_is_made_once_however_often_the_task_runs(provider, receiver):
    services.installation_create(user=UserFactory(), provider=provider, fields=["identity.id"])
    delivery = WebhookDelivery.objects.get()
    for _ in range(3):
        services.webhook_deliver_once(delivery_id=delivery.pk)
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_two_tasks_racing_for_one_delivery_send_it_once(provider, receiver):
    services.installation_create(user=UserFactory(), provider=provider, fields=["identity.id"])
    delivery = WebhookDelivery.objects.get()
    barrier = threading.Barrier(4)

    def attempt():
        try:
            barrier.wait()
            services.webhook_deliver_once(delivery_id=delivery.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(receiver.requests) == 1


def test_removing_stops_sharing_and_tells_the_provider(provider, receiver, settings):
    receiver.mode = "fail"
    alice = UserFactory()
    installation = services.installation_create(user=alice, provider=provider, fields=["identity.name"])
    deliver_all()  # fails: stays pending for a retry
    receiver.mode = "ok"
    services.installation_remove(user=alice, installation=installation)
    data = WebhookDelivery.objects.get(kind="data.shared")
    assert data.status == "failed" and "removed" in data.last_error
    WebhookDelivery.objects.filter(pk=data.pk).update(next_attempt_at=timezone.now())
    deliver_all()
    assert [r["body"]["type"] for r in receiver.requests] == ["data.shared", "installation.removed"]
    assert receiver.requests[-1]["body"]["data"] == {"installation": str(installation.public_id)}
    installation.refresh_from_db()
    assert installation.status == "removed"
    with pytest.raises(Forbidden):
        services.installation_remove(user=UserFactory(), installation=installation)


def test_the_sweep_releases_abandoned_deliveries(provider, receiver, monkeypatch):
    enqueued = []
    # The sweep and the task enqueue through the webhooks module: patch it there.
    monkeypatch.setattr(webhooks, "_enqueue_delivery", lambda pk, countdown=0: enqueued.append(pk))
    services.installation_create(user=UserFactory(), provider=provider, fields=["identity.id"])
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="delivering", claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert services.webhook_sweep(stale_after=timedelta(minutes=5)) == {"released": 1, "enqueued": 0}
    assert services.webhook_sweep(stale_after=timedelta(0))["enqueued"] == 1 and enqueued == [delivery.pk]


def test_the_log_pages_by_keyset_and_filters(provider):
    alice = UserFactory()
    key = subject_key_for_user(user=alice)
    mailstream = Provider.objects.get(slug="mailstream")
    services.processor_shares_record(
        provider_slug="mailstream", subject_keys=[key] * 70, fields=["identity.email"], purpose="Email."
    )
    for _ in range(50):
        services.installation_create(user=alice, provider=provider, fields=["identity.name"])
    first = selectors.sharing_log_for(user=alice)
    second = selectors.sharing_log_for(user=alice, before=first.next_cursor)
    third = selectors.sharing_log_for(user=alice, before=second.next_cursor)
    seqs = [e.seq for page in (first, second, third) for e in page.events]
    assert len(first.events) == len(second.events) == 50 and len(third.events) == 20
    assert third.next_cursor is None and seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 120
    assert all(
        e.provider == mailstream for e in selectors.sharing_log_for(user=alice, provider="mailstream").events
    )
    assert len(selectors.sharing_log_for(user=alice, category="identity").events) == 50
    assert selectors.sharing_log_for(user=alice, category="team").events == []
    assert selectors.sharing_log_for(user=UserFactory()).events == []


def test_the_log_page_query_count_does_not_grow(provider, django_assert_num_queries):
    alice = UserFactory()
    for _ in range(30):
        services.installation_create(user=alice, provider=provider, fields=["identity.name"])
    with django_assert_num_queries(3):  # subject keys, the page, delivery statuses
        assert len(selectors.sharing_log_for(user=alice).events) == 30


def test_sharing_events_are_append_only_and_sealed(provider):
    services.installation_create(user=UserFactory(), provider=provider, fields=["identity.name"])
    services.installation_create(user=UserFactory(), provider=provider, fields=["identity.id"])
    assert stream_seal("sharing") == 2
    assert SharingSeal.objects.get().record_count == 2
    assert stream_verify("sharing") == StreamCheck("sharing", items=2, seals=1, broken=None)
    out = StringIO()
    call_command("evidence_verify", "--stream", "sharing", stdout=out)
    assert out.getvalue().splitlines()[0] == "sharing: intact, 1 seal and 2 events verified."
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE integrations_sharingevent SET purpose = 'x'")
    bypass_triggers(
        "UPDATE integrations_sharingevent SET fields = '[\"identity.email\"]' WHERE seq = %s",
        [SharingEvent.objects.order_by("seq").first().seq],
    )
    broken = stream_verify("sharing").broken
    assert broken is not None and "edited" in broken.reason
    with pytest.raises(CommandError, match="edited"):
        call_command("evidence_verify", "--stream", "sharing", stdout=StringIO())
    assert evidence_verify("sharing")["sharing"]["broken"]["id"] == broken.id


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_and_a_redelivered_task_sends_nothing_more(
    provider, receiver, celery_worker_process
):
    services.installation_create(user=UserFactory(), provider=provider, fields=["identity.id"])
    deadline = time.monotonic() + 30
    while not receiver.requests and time.monotonic() < deadline:
        time.sleep(0.1)
    delivery = WebhookDelivery.objects.get()
    webhook_deliver.delay(delivery.pk).get(timeout=20)
    assert len(receiver.requests) == 1 and receiver.requests[0]["verified"]
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_a_profile_change_reaches_the_integrations_granted_that_field(provider, receiver, org):
    from accounts.services import user_update_profile

    dev = org["dev"].user
    mine = services.installation_create(user=dev, provider=provider, fields=["identity.id", "identity.name"])
    services.installation_create(
        user=dev, provider=provider, fields=["identity.email"]
    )  # not granted the name
    services.installation_create(
        user=org["lead"].user,
        provider=provider,
        fields=["identity.name"],
        membership=org["lead"],
        team=org["red"],
    )
    removed = services.installation_create(user=dev, provider=provider, fields=["identity.name"])
    services.installation_remove(user=dev, installation=removed)
    deliver_all()
    receiver.requests.clear()

    user_update_profile(actor=dev, user=dev, name="Devi", language="")
    deliver_all()
    shared = sorted(
        (r["body"]["data"]["installation"], tuple(r["body"]["data"]["fields"])) for r in receiver.requests
    )
    assert len(shared) == 2  # my own installation with the name, and the team's
    assert (str(mine.public_id), ("identity.id", "identity.name")) in shared
    assert all(r["body"]["data"]["people"][0]["identity.name"] == "Devi" for r in receiver.requests)
    assert len(receiver.requests[0]["body"]["data"]["people"]) == 1  # only the person who changed
    # A language change reaches nobody: no installation was granted it.
    receiver.requests.clear()
    user_update_profile(actor=dev, user=dev, name="Devi", language="sv")
    deliver_all()
    assert receiver.requests == []


def test_a_team_integration_shares_with_a_member_who_joins_later(provider, receiver, org):
    from organizations.services import team_member_add

    team_installation = services.installation_create(
        user=org["lead"].user,
        provider=provider,
        fields=["identity.id", "identity.name", "team.name"],
        membership=org["lead"],
        team=org["red"],
    )
    services.installation_create(user=org["lead"].user, provider=provider, fields=["identity.name"])  # for me
    deliver_all()
    receiver.requests.clear()

    team_member_add(actor=org["owner"], team=org["red"], member=org["other"])
    deliver_all()
    (request,) = receiver.requests  # the team's installation only, about the newcomer only
    assert request["verified"] and request["body"]["data"]["installation"] == str(team_installation.public_id)
    (person,) = request["body"]["data"]["people"]
    assert person["identity.name"] == "Other" and person["team.name"] == "Red"
    (event,) = selectors.sharing_log_for(user=org["other"].user).events
    assert event.team_id == org["red"].pk and event.fields == ["identity.id", "identity.name", "team.name"]
    # Joining a team without integrations shares nothing.
    team_member_add(actor=org["owner"], team=org["blue"], member=org["dev"])
    assert len(selectors.sharing_log_for(user=org["dev"].user).events) == 1  # the first share with Red


def test_a_removed_team_integration_shares_nothing_with_newcomers(provider, receiver, org):
    from organizations.services import team_member_add

    installation = services.installation_create(
        user=org["lead"].user,
        provider=provider,
        fields=["identity.name"],
        membership=org["lead"],
        team=org["red"],
    )
    services.installation_remove(user=org["lead"].user, installation=installation, membership=org["lead"])
    deliver_all()
    receiver.requests.clear()
    team_member_add(actor=org["owner"], team=org["red"], member=org["other"])
    deliver_all()
    assert receiver.requests == [] and selectors.sharing_log_for(user=org["other"].user).events == []


def test_an_email_change_reaches_the_integrations_granted_the_address(
    provider, receiver, client, alice, password, mailoutbox, account_mail
):
    import re

    from django.urls import reverse

    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    with_email = services.installation_create(
        user=alice, provider=provider, fields=["identity.id", "identity.email"]
    )
    services.installation_create(user=alice, provider=provider, fields=["identity.name"])  # not the address
    deliver_all()
    receiver.requests.clear()

    with account_mail():
        client.post(reverse("account_email"), {"action_add": "", "email": "alice@work.example"})
    client.post(re.search(r"(/accounts/confirm-email/[^\s]+/)", mailoutbox[-1].body).group(1))
    deliver_all()
    (request,) = receiver.requests
    assert request["body"]["data"]["installation"] == str(with_email.public_id)
    assert request["body"]["data"]["fields"] == ["identity.id", "identity.email"]
    assert request["body"]["data"]["people"][0]["identity.email"] == "alice@work.example"
    shares = [
        e
        for e in selectors.sharing_log_for(user=alice).events
        if e.fields == ["identity.id", "identity.email"]
    ]
    assert len(shares) == 2  # at installation, and the new address
