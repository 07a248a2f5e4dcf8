"""Acknowledgements and replies are emailed by idempotent Celery tasks: once,
whatever happens to the messages."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from support import services, tasks
from support.models import MinorReport, PrivacyQuestion, QuestionReply
from tests.waiting import wait_for_row

from .conftest import QUESTION, REPORT


@pytest.fixture
def worker_env(smtp_sink):
    return {"EMAIL_URL": smtp_sink.url}


def wait_for(sink, count, timeout=30):
    deadline = time.monotonic() + timeout
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return sink.messages


@pytest.mark.worker
def test_a_real_worker_acknowledges_a_report_over_smtp_once(celery_worker_process, smtp_sink, client):
    assert client.post(reverse("minor_report"), REPORT).status_code == 302
    messages = wait_for(smtp_sink, 1)
    assert len(messages) == 1
    envelope = messages[0]
    assert envelope.rcpt_tos == ["parent@example.net"]
    report = MinorReport.objects.get()
    content = envelope.content.decode()
    assert f"reference {report.pk}" in content and "under 13" in content
    assert REPORT["description"] not in content  # what the form said is not echoed
    # The row is marked in the transaction that sent the email: it may commit a moment after.
    wait_for_row(
        MinorReport.objects.filter(pk=report.pk, acknowledged_at__isnull=False), "the acknowledgement"
    )
    # A duplicate delivery of the same task sends nothing more.
    assert tasks.minor_report_acknowledge.delay(report.pk).get(timeout=20) == "skipped"
    assert len(smtp_sink.messages) == 1


@pytest.mark.worker
def test_a_real_worker_sends_the_question_acknowledgement_and_the_reply(
    celery_worker_process, smtp_sink, client, agent
):
    assert client.post(reverse("privacy_question"), QUESTION).status_code == 302
    assert len(wait_for(smtp_sink, 1)) == 1
    question = PrivacyQuestion.objects.get()
    services.privacy_question_reply(actor=agent, question=question, body="Your data stays in the EU.")
    messages = wait_for(smtp_sink, 2)
    assert len(messages) == 2 and all(m.rcpt_tos == ["pat@example.net"] for m in messages)
    assert "Your data stays in the EU." in messages[1].content.decode()
    wait_for_row(QuestionReply.objects.filter(sent_at__isnull=False), "the reply marked sent")


@pytest.mark.django_db
def test_duplicate_deliveries_send_once(django_capture_on_commit_callbacks, agent):
    with django_capture_on_commit_callbacks():
        report = services.minor_report_create(actor=None, **REPORT)
        question = services.privacy_question_create(actor=None, **QUESTION)
        reply = services.privacy_question_reply(actor=agent, question=question, body="Answer")
    for task, pk in [
        (tasks.minor_report_acknowledge, report.pk),
        (tasks.privacy_question_acknowledge, question.pk),
        (tasks.question_reply_send, reply.pk),
    ]:
        assert [task.apply(args=[pk]).get() for _ in range(3)] == ["sent", "skipped", "skipped"]
    assert len(mail.outbox) == 3
    assert tasks.minor_report_acknowledge.apply(args=[987654]).get() == "skipped"  # gone: nothing to do


@pytest.mark.django_db
def test_a_failed_send_leaves_the_row_unsent_for_the_retry(django_capture_on_commit_callbacks):
    import smtplib

    with django_capture_on_commit_callbacks():
        report = services.minor_report_create(actor=None, **REPORT)
    with (
        mock.patch("core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("down")),
        pytest.raises(Retry),
    ):
        tasks.minor_report_acknowledge.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.acknowledged_at is None
    assert tasks.minor_report_acknowledge.apply(args=[report.pk]).get() == "sent"


@pytest.mark.django_db
def test_the_sweep_re_enqueues_lost_emails_only(django_capture_on_commit_callbacks, agent):
    with django_capture_on_commit_callbacks():
        old = services.minor_report_create(actor=None, **REPORT)
        fresh = services.minor_report_create(actor=None, **REPORT)
        question = services.privacy_question_create(actor=None, **QUESTION)
        reply = services.privacy_question_reply(actor=agent, question=question, body="Answer")
    hour_ago = timezone.now() - timedelta(hours=1)
    MinorReport.objects.filter(pk=old.pk).update(created_at=hour_ago)
    PrivacyQuestion.objects.filter(pk=question.pk).update(created_at=hour_ago, acknowledged_at=timezone.now())
    QuestionReply.objects.filter(pk=reply.pk).update(created_at=hour_ago)
    with (
        mock.patch.object(tasks.minor_report_acknowledge, "delay") as report_ack,
        mock.patch.object(tasks.privacy_question_acknowledge, "delay") as question_ack,
        mock.patch.object(tasks.question_reply_send, "delay") as reply_send,
    ):
        assert tasks.support_email_sweep() == {
            "minor_reports": 1,
            "questions": 0,
            "replies": 1,
            "case_replies": 0,
            "share_notices": 0,
            "shared_case_replies": 0,
        }
    report_ack.assert_called_once_with(old.pk)
    question_ack.assert_not_called()
    reply_send.assert_called_once_with(reply.pk)
    assert fresh.acknowledged_at is None  # too young: its first task may still be on its way
