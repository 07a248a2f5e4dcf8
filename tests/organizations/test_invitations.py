from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from audit.events import EventType
from audit.models import AuditEvent
from core.errors import Conflict, Forbidden
from organizations import services
from organizations.models import Invitation, Membership
from organizations.roles import OrgRole
from organizations.tasks import invitation_send
from tests.conftest import assert_error
from tests.factories import UserFactory
from tests.waiting import wait_for_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(admin, django_capture_on_commit_callbacks):
    def make(email="newcomer@example.org", role=OrgRole.MEMBER, actor=admin):
        with django_capture_on_commit_callbacks() as callbacks:
            invitation = services.invitation_create(actor=actor, email=email, role=role)
        assert len(callbacks) == 1  # the email is enqueued once the invitation is committed
        return invitation

    return make


@pytest.fixture
def newcomer(db):
    return UserFactory(email="newcomer@example.org", name="Nils Newcomer")


def test_inviting_records_and_enqueues_the_email(invite, acme):
    invitation = invite(email="NewComer@Example.org")
    assert invitation.email == "newcomer@example.org" and invitation.status == "pending"
    event = AuditEvent.objects.get(event_type=EventType.INVITATION_CREATED)
    assert event.organization_id == acme.pk and "newcomer" not in event.sealed_changes


def test_the_email_task_sends_once(invite, mailoutbox):
    invitation = invite()
    assert invitation_send(invitation.pk) == "sent"
    assert invitation_send(invitation.pk) == "skipped"  # a retry or duplicate sends nothing
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["newcomer@example.org"]
    assert "Acme AB" in message.subject
    assert f"/invitations/{invitation.public_id}/" in message.body


def test_revoked_invitations_are_not_sent(invite, admin, mailoutbox):
    invitation = invite()
    services.invitation_revoke(actor=admin, invitation=invitation)
    assert invitation_send(invitation.pk) == "skipped"
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("email", "role", "error", "code"),
    [
        ("member@acme.example", OrgRole.MEMBER, Conflict, "already_member"),
        ("boss@example.org", OrgRole.OWNER, Forbidden, "role_above_own"),
    ],
)
def test_invitation_rules(admin, member, email, role, error, code):
    with pytest.raises(error) as caught:
        services.invitation_create(actor=admin, email=email, role=role)
    assert caught.value.code == code
    assert Invitation.objects.count() == 0


def test_one_pending_invitation_per_address(invite):
    invite()
    with pytest.raises(Conflict) as caught:
        invite()
    assert caught.value.code == "already_invited"


def test_accepting_makes_a_membership(invite, newcomer):
    invitation = invite(role=OrgRole.ADMIN)
    membership = services.invitation_accept(user=newcomer, invitation=invitation)
    assert (membership.role, membership.user) == (OrgRole.ADMIN, newcomer)
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.responded_at
    with pytest.raises(Conflict) as caught:
        services.invitation_accept(user=newcomer, invitation=invitation)
    assert caught.value.code == "invitation_closed"


def test_someone_elses_invitation_is_not_found(invite, bob):
    invitation = invite()
    with pytest.raises(Http404):
        services.invitation_accept(user=bob, invitation=invitation)
    # An unverified address is not enough either.
    EmailAddress.objects.create(user=bob, email="newcomer@example.org", verified=False)
    with pytest.raises(Http404):
        services.invitation_accept(user=bob, invitation=invitation)
    assert not Membership.objects.filter(user=bob).exists()


def test_an_expired_invitation_cannot_be_accepted(invite, newcomer):
    invitation = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(Conflict) as caught:
        services.invitation_accept(user=newcomer, invitation=invitation)
    assert caught.value.code == "invitation_expired"
    assert not Membership.objects.filter(user=newcomer).exists()


def test_invitee_accepts_through_the_api(invite, newcomer, api_client):
    invitation = invite()
    api_client.force_authenticate(newcomer)
    mine = api_client.get("/api/v1/invitations").json()["results"]
    assert [i["organization"]["slug"] for i in mine] == ["acme"]
    response = api_client.post(f"/api/v1/invitations/{invitation.public_id}/accept")
    assert response.status_code == 200 and response.json()["role"] == "member"
    assert_error(
        api_client.post(f"/api/v1/invitations/{invitation.public_id}/decline"), 409, "invitation_closed"
    )


def test_invitee_declines_on_the_page(invite, newcomer, client, password):
    invitation = invite()
    client.post(reverse("account_login"), {"login": newcomer.email, "password": password})
    page = client.get(reverse("invitation_detail", args=[invitation.public_id]))
    assert "Join Acme AB?" in page.content.decode()
    response = client.post(reverse("invitation_detail", args=[invitation.public_id]), {"answer": "decline"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "declined"


def test_admins_invite_and_revoke_through_the_api(admin, api_client, django_capture_on_commit_callbacks):
    api_client.force_authenticate(admin.user)
    with django_capture_on_commit_callbacks():
        response = api_client.post(
            "/api/v1/orgs/acme/invitations", {"email": "x@example.org", "role": "guest"}, format="json"
        )
    assert response.status_code == 201
    invitation_id = response.json()["id"]
    assert api_client.delete(f"/api/v1/orgs/acme/invitations/{invitation_id}").status_code == 204
    assert_error(
        api_client.delete(f"/api/v1/orgs/acme/invitations/{invitation_id}"), 409, "invitation_closed"
    )


@pytest.fixture
def worker_env(smtp_sink):
    return {"EMAIL_URL": smtp_sink.url}


@pytest.mark.worker
def test_invitation_email_is_delivered_by_a_real_worker_over_smtp(celery_worker_process, smtp_sink, admin):
    import time

    invitation = services.invitation_create(actor=admin, email="far@example.org", role=OrgRole.MEMBER)
    deadline = time.monotonic() + 30
    while not smtp_sink.messages and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(smtp_sink.messages) == 1
    envelope = smtp_sink.messages[0]
    assert envelope.rcpt_tos == ["far@example.org"]
    assert str(invitation.public_id) in envelope.content.decode()
    # Marked sent in the transaction that sent the email: it may commit a moment after.
    wait_for_row(
        Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False), "the invitation marked sent"
    )
    # A duplicate delivery of the same task sends nothing more.
    invitation_send.delay(invitation.pk).get(timeout=20)
    assert len(smtp_sink.messages) == 1
