"""Sub-processor changes: the public list; adding or changing one announced
and applied after the notice period; notices fanned out once per subscriber
(organisations' owners and admins, and addresses confirmed by double opt-in)
with an evidence row each; objections within the period; both sealed."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from audit.events import EventType
from audit.models import AuditEvent
from audit.streams import stream_seal, stream_verify
from integrations import services
from integrations.models import (
    Provider,
    SubprocessorChange,
    SubprocessorEvidence,
    SubprocessorSubscription,
)
from tests.factories import UserFactory

from .helpers import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    user = UserFactory(email="officer@icentrex.example", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return user


def _announce_country_change(officer) -> SubprocessorChange:
    mailstream = Provider.objects.get(slug="mailstream")
    services.provider_update(
        actor=officer, provider=mailstream, country="US", transfer_mechanism="Standard Contractual Clauses"
    )
    return SubprocessorChange.objects.get(provider=mailstream)


def _deliver():
    for change_id in SubprocessorChange.objects.values_list("pk", flat=True):
        services.subprocessor_notices_plan(change_id=change_id)
    return services.subprocessor_notices_send()


def test_a_change_is_announced_on_the_public_list_and_applied_after_the_notice_period(
    client, officer, settings
):
    change = _announce_country_change(officer)
    assert change.effective_on == timezone.localdate() + timedelta(days=settings.SUBPROCESSOR_NOTICE_DAYS)
    assert Provider.objects.get(slug="mailstream").country == "IE"  # not yet
    page = client.get(reverse("subprocessors")).content.decode()
    assert "Mailstream" in page and "country: IE → US" in page
    assert services.subprocessor_changes_apply(today=change.effective_on - timedelta(days=1)) == 0
    assert services.subprocessor_changes_apply(today=change.effective_on) == 1
    assert services.subprocessor_changes_apply(today=change.effective_on) == 0  # once
    mailstream = Provider.objects.get(slug="mailstream")
    assert (mailstream.country, mailstream.transfer_mechanism) == ("US", "Standard Contractual Clauses")
    assert AuditEvent.objects.filter(changes__action="subprocessor_change_applied").count() == 1


def test_a_new_subprocessor_is_listed_only_once_its_notice_period_is_over(client, officer):
    provider, _secret = services.provider_create(
        actor=officer,
        kind="service_provider",
        slug="ledgerly",
        name="Ledgerly",
        purpose="Keeps iCentrex's books.",
        fields=["identity.name"],
        service="payment",
        agreement_reference="DPA-1",
        country="DE",
        transfer_mechanism="",
        active=True,
    )
    assert not provider.active
    table = client.get(reverse("subprocessors")).content.decode().split("Announced changes")[0]
    assert "Ledgerly" not in table
    change = provider.changes.get()
    services.subprocessor_changes_apply(today=change.effective_on)
    assert "Ledgerly" in client.get(reverse("subprocessors")).content.decode().split("Announced changes")[0]


def test_taking_one_out_of_use_applies_at_once_and_is_announced(officer):
    services.provider_update(actor=officer, provider=Provider.objects.get(slug="brightreach"), active=False)
    assert not Provider.objects.get(slug="brightreach").active
    (change,) = SubprocessorChange.objects.all()
    assert change.kind == "remove" and change.applied_at is not None


def test_notices_reach_each_subscriber_once_with_evidence(owner, admin, member, officer, mailoutbox, client):
    # The organisation's owners and admins, through its subscription.
    assert services.subprocessor_subscribe_organization(actor=admin, subscribe=True)
    # An address by double opt-in; another that never confirms.
    token = services.subprocessor_subscribe_email(email="Watcher@Example.org", language="sv")
    services.subprocessor_subscribe_email(email="lazy@example.org", language="en")
    services.subprocessor_subscription_confirm(token=token)
    change = _announce_country_change(officer)
    assert _deliver() == 2 and _deliver() == 0
    to = sorted(m.to[0] for m in mailoutbox)
    assert to == ["admin@acme.example", "owner@acme.example", "watcher@example.org"]
    org_mail = next(m for m in mailoutbox if m.to == ["owner@acme.example"])
    assert "Mailstream" in org_mail.subject and reverse("org_subprocessors", args=["acme"]) in org_mail.body
    swedish = next(m for m in mailoutbox if m.to == ["watcher@example.org"])
    assert "underbiträden" in swedish.subject.lower()
    records = SubprocessorEvidence.objects.filter(kind="notice_sent", change_id=change.pk)
    assert records.count() == 2 and all(r.record_hash == r.compute_hash() for r in records)
    assert stream_seal("subprocessors") == 2 and stream_verify("subprocessors").intact
    # The link in the notice ends the subscription.
    link = re.search(r"(/subprocessors/unsubscribe/\?t=\S+)", swedish.body).group(1)
    assert (
        "Unsubscribe" in client.get(link).content.decode() or "Avsluta" in client.get(link).content.decode()
    )
    client.post(reverse("subprocessors_unsubscribe"), {"t": link.split("t=", 1)[1]})
    assert not SubprocessorSubscription.objects.filter(email="watcher@example.org").exists()


def test_double_opt_in_from_the_public_page(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("subprocessors"), {"email": "someone@example.org"})
    assert response.status_code == 302
    subscription = SubprocessorSubscription.objects.get(email="someone@example.org")
    assert subscription.confirmed_at is None
    (send,) = callbacks  # the confirmation email, queued after commit: run what the worker runs
    subscription_id, token = send.args
    assert (
        services.subprocessors.subprocessor_confirmation_send(subscription_id=subscription_id, token=token)
        == "sent"
    )
    (confirmation,) = mailoutbox
    link = re.search(r"(/subprocessors/confirm/\?t=\S+)", confirmation.body).group(1)
    assert client.get(link).status_code == 200  # a scanner opening the link confirms nothing
    assert SubprocessorSubscription.objects.get(pk=subscription.pk).confirmed_at is None
    client.post(reverse("subprocessors_confirm"), {"t": link.split("t=", 1)[1]})
    assert SubprocessorSubscription.objects.get(pk=subscription.pk).confirmed_at is not None
    bad = client.post(reverse("subprocessors_confirm"), {"t": "forged"})
    assert bad.status_code == 400
    # A bot filling the honeypot is thanked the same and nothing is written.
    client.post(reverse("subprocessors"), {"email": "bot@example.org", "website": "http://spam"})
    assert not SubprocessorSubscription.objects.filter(email="bot@example.org").exists()
    assert client.post(reverse("subprocessors"), {"email": "not-an-address"}).status_code == 400


def test_organisations_object_within_the_notice_period_only(owner, admin, member, officer):
    change = _announce_country_change(officer)
    client = signed_in(admin.user, "acme")
    url = reverse("org_subprocessor_object", args=["acme", change.public_id])
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "Our members' data must stay in the EEA."}).status_code == 302
    (objection,) = SubprocessorEvidence.objects.filter(kind="objection")
    assert objection.organization_id == admin.organization_id and objection.raised_by_subject
    assert AuditEvent.objects.filter(
        event_type=EventType.ORG_SUBPROCESSOR_OBJECTION, organization_id=admin.organization_id
    ).exists()
    staff_page = signed_in(officer).get(reverse("staff_subprocessor_changes")).content.decode()
    assert "Our members&#x27; data must stay in the EEA." in staff_page and "Acme" in staff_page
    # Members cannot; after the change takes effect, nobody can.
    assert signed_in(member.user, "acme").post(url, {"text": "No."}).status_code == 403
    SubprocessorChange.objects.filter(pk=change.pk).update(effective_on=timezone.localdate())
    response = client.post(url, {"text": "Too late?"})
    assert response.status_code == 409 and "notice period is over" in response.content.decode()
    services.subprocessor_changes_apply()
    assert client.post(url, {"text": "Too late?"}).status_code == 404
    assert SubprocessorEvidence.objects.filter(kind="objection").count() == 1
