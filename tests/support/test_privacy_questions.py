"""The privacy-question inbox: thread, replies by email, close and reopen."""

import pytest
from django.core import mail
from django.urls import reverse

from audit.events import EventType
from audit.models import AuditEvent
from core.errors import Conflict
from support import services, tasks
from support.models import PrivacyQuestion, QuestionReply

from .conftest import QUESTION

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        client.post(reverse("privacy_question"), QUESTION)
    return PrivacyQuestion.objects.get()


def test_contact_form_then_staff_reply_is_emailed_with_the_reply_text(
    client, sign_in, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(reverse("privacy_question"), QUESTION).status_code == 302
    question = PrivacyQuestion.objects.get()
    assert len(callbacks) == 1  # the acknowledgement
    # Run what was enqueued (the test profile has no eager Celery).
    assert tasks.privacy_question_acknowledge.apply(args=[question.pk]).get() == "sent"
    ack = mail.outbox[-1]
    assert ack.to == ["pat@example.net"] and f"reference {question.pk}" in ack.subject
    # The acknowledgement does not repeat what the sender typed.
    assert QUESTION["message"] not in ack.body and QUESTION["subject"] not in ack.subject

    staff = sign_in(agent)
    inbox = staff.get(reverse("staff_privacy_questions")).content.decode()
    assert QUESTION["subject"] in inbox
    reply_text = "We store your data in Sweden and Finland.\nOnly our operations team can see it."
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff.post(reverse("staff_privacy_question", args=[question.pk]), {"body": reply_text})
    assert response.status_code == 302 and len(callbacks) == 1
    reply = QuestionReply.objects.get()
    assert (reply.author, reply.body, reply.sent_at) == (agent, reply_text, None)
    question.refresh_from_db()
    assert question.status == "answered"

    assert tasks.question_reply_send.apply(args=[reply.pk]).get() == "sent"
    sent = mail.outbox[-1]
    assert sent.to == ["pat@example.net"] and reply_text in sent.body
    assert sent.subject == f"Re: {QUESTION['subject']} (reference {question.pk})"
    assert sent.reply_to == ["privacy@icentrex.example"]
    reply.refresh_from_db()
    assert reply.sent_at is not None
    # A duplicate delivery of the task sends nothing more.
    assert tasks.question_reply_send.apply(args=[reply.pk]).get() == "skipped"
    assert len(mail.outbox) == 2

    thread = staff.get(reverse("staff_privacy_question", args=[question.pk])).content.decode()
    assert QUESTION["message"] in thread and "Only our operations team can see it." in thread
    assert "emailed" in thread
    answered = AuditEvent.objects.get(event_type=EventType.PRIVACY_QUESTION_ANSWERED)
    assert answered.changes == {"reply": reply.pk, "status": ["new", "answered"]}


def test_an_empty_reply_is_refused(sign_in, agent, question, django_capture_on_commit_callbacks):
    staff = sign_in(agent)
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff.post(reverse("staff_privacy_question", args=[question.pk]), {"body": "   "})
    assert response.status_code == 400 and 'id="id_body_error"' in response.content.decode()
    assert not QuestionReply.objects.exists() and callbacks == []


def test_close_and_reopen(sign_in, agent, question, django_capture_on_commit_callbacks):
    staff = sign_in(agent)
    assert staff.post(reverse("staff_privacy_question_close", args=[question.pk])).status_code == 302
    question.refresh_from_db()
    assert question.status == "closed"
    # A closed question is not answered until it is reopened.
    with pytest.raises(Conflict):
        services.privacy_question_reply(actor=agent, question=question, body="Late answer")
    assert staff.post(reverse("staff_privacy_question_reopen", args=[question.pk])).status_code == 302
    question.refresh_from_db()
    assert question.status == "new"  # never answered: back to new
    with django_capture_on_commit_callbacks():
        services.privacy_question_reply(actor=agent, question=question, body="Here is the answer.")
    services.privacy_question_close(actor=agent, question=question)
    services.privacy_question_reopen(actor=agent, question=question)
    question.refresh_from_db()
    assert question.status == "answered"
    assert list(
        AuditEvent.objects.filter(event_type__startswith="support.question_")
        .order_by("id")
        .values_list("event_type", flat=True)
    ) == [
        EventType.PRIVACY_QUESTION_RECEIVED,
        EventType.PRIVACY_QUESTION_CLOSED,
        EventType.PRIVACY_QUESTION_REOPENED,
        EventType.PRIVACY_QUESTION_ANSWERED,
        EventType.PRIVACY_QUESTION_CLOSED,
        EventType.PRIVACY_QUESTION_REOPENED,
    ]
    # Closing twice changes nothing and records nothing.
    services.privacy_question_close(actor=agent, question=question)
    services.privacy_question_close(actor=agent, question=question)
    assert AuditEvent.objects.filter(event_type=EventType.PRIVACY_QUESTION_CLOSED).count() == 3


def test_the_inbox_filters_by_status(sign_in, agent, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks():
        for subject in ["Open one", "Answered one", "Closed one"]:
            client.post(reverse("privacy_question"), {**QUESTION, "subject": subject})
        answered = PrivacyQuestion.objects.get(subject="Answered one")
        services.privacy_question_reply(actor=agent, question=answered, body="Answer")
    services.privacy_question_close(actor=agent, question=PrivacyQuestion.objects.get(subject="Closed one"))
    staff = sign_in(agent)
    url = reverse("staff_privacy_questions")

    def shown(**params):
        html = staff.get(url, params).content.decode()
        return {s for s in ["Open one", "Answered one", "Closed one"] if s in html}

    assert shown() == {"Open one", "Answered one"}  # what still needs someone
    assert shown(status="new") == {"Open one"}
    assert shown(status="closed") == {"Closed one"}
    assert shown(status="all") == {"Open one", "Answered one", "Closed one"}
    assert shown(status="bogus") == {"Open one", "Answered one"}
