"""An organisation's reply on a shared case reaches iCentrex support even when
nobody is assigned to the case: the support queue's address if one is set,
else every support agent and privacy officer. Once, however often the task runs."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from organizations.models import Membership, Organization
from support import services, tasks
from support.models import SharedCaseReply

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(alice, bob):
    organization = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=organization, user=alice, role="member")
    Membership.objects.create(organization=organization, user=bob, role="admin")
    return organization


@pytest.fixture
def share(agent, alice, acme):
    case = services.case_open(
        actor=alice, subject="Export broken", body="Nothing happens.", organization=acme
    )
    return services.case_share(actor=agent, case=case)


def _reply(bob, share, django_capture_on_commit_callbacks) -> SharedCaseReply:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        reply = services.shared_case_reply(
            actor_membership=Membership.objects.get(user=bob), share=share, body="We restored it."
        )
    assert len(callbacks) == 1  # the email task is enqueued once the reply is committed
    return reply


def test_unassigned_reply_reaches_every_support_staff_member_once(
    bob, agent, officer, share, django_capture_on_commit_callbacks
):
    reply = _reply(bob, share, django_capture_on_commit_callbacks)
    assert tasks.shared_case_reply_send.apply(args=[reply.pk]).get() == "sent"
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([agent.email, officer.email])
    assert "Nobody is assigned" in mail.outbox[0].body
    assert f"/staff/cases/{share.case_id}/" in mail.outbox[0].body
    reply.refresh_from_db()
    assert reply.emailed_at is not None
    # A duplicate delivery of the task sends nothing more.
    assert tasks.shared_case_reply_send.apply(args=[reply.pk]).get() == "skipped"
    assert len(mail.outbox) == 1


def test_a_configured_queue_address_gets_it_instead(
    bob, agent, share, settings, django_capture_on_commit_callbacks
):
    settings.SUPPORT_QUEUE_EMAIL = "support-queue@icentrex.example"
    reply = _reply(bob, share, django_capture_on_commit_callbacks)
    assert tasks.shared_case_reply_send.apply(args=[reply.pk]).get() == "sent"
    assert [m.to for m in mail.outbox] == [["support-queue@icentrex.example"]]


def test_an_inactive_assignee_falls_back_to_the_queue(
    bob, agent, officer, share, settings, django_capture_on_commit_callbacks
):
    settings.SUPPORT_QUEUE_EMAIL = "support-queue@icentrex.example"
    services.case_assign(actor=agent, case=share.case, assignee=officer)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    reply = _reply(bob, share, django_capture_on_commit_callbacks)
    assert tasks.shared_case_reply_send.apply(args=[reply.pk]).get() == "sent"
    assert [m.to for m in mail.outbox] == [["support-queue@icentrex.example"]]


def test_the_assignee_alone_is_told_when_there_is_one(
    bob, agent, officer, share, settings, django_capture_on_commit_callbacks
):
    settings.SUPPORT_QUEUE_EMAIL = "support-queue@icentrex.example"
    services.case_assign(actor=agent, case=share.case, assignee=officer)
    reply = _reply(bob, share, django_capture_on_commit_callbacks)
    assert tasks.shared_case_reply_send.apply(args=[reply.pk]).get() == "sent"
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert "you are assigned to" in mail.outbox[0].body


def test_the_sweep_re_enqueues_a_lost_unassigned_reply(bob, share, django_capture_on_commit_callbacks):
    reply = _reply(bob, share, django_capture_on_commit_callbacks)
    SharedCaseReply.objects.filter(pk=reply.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with mock.patch.object(tasks.shared_case_reply_send, "delay") as send:
        assert tasks.support_email_sweep()["shared_case_replies"] == 1
    send.assert_called_once_with(reply.pk)


def test_with_no_support_staff_at_all_nothing_is_marked_sent(
    bob, agent, share, django_capture_on_commit_callbacks
):
    agent.groups.clear()
    reply = _reply(bob, share, django_capture_on_commit_callbacks)
    assert tasks.shared_case_reply_send.apply(args=[reply.pk]).get() == "skipped"
    reply.refresh_from_db()
    assert mail.outbox == [] and reply.emailed_at is None
