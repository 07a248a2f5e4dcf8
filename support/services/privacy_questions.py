"""Privacy questions from the public form and staff's replies to them."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.staff_roles import StaffPermission
from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict
from core.tasks import enqueue_on_commit

from .. import tasks
from ..models import PrivacyQuestion, QuestionReply
from ._common import _require_staff, _signed_in


def privacy_question_create(
    *, actor, name: str, email: str, subject: str, message: str, language: str = "", request=None
) -> PrivacyQuestion:
    with transaction.atomic():
        question = PrivacyQuestion.objects.create(
            name=name.strip(), email=email, subject=subject, message=message.strip(), language=language
        )
        audit_record(
            event_type=EventType.PRIVACY_QUESTION_RECEIVED,
            actor=_signed_in(actor),
            target=question,
            request=request,
        )
        enqueue_on_commit(tasks.privacy_question_acknowledge, question.pk)
    return question


def privacy_question_reply(*, actor, question: PrivacyQuestion, body: str, request=None) -> QuestionReply:
    """Store a staff reply and email it once committed; the question counts as answered."""
    _require_staff(actor, StaffPermission.PRIVACY_QUESTIONS_HANDLE)
    body = body.strip()
    with transaction.atomic():
        question = PrivacyQuestion.objects.select_for_update().get(pk=question.pk)
        if question.status == PrivacyQuestion.Status.CLOSED:
            raise Conflict(_("The question is closed. Reopen it to reply."), code="question_closed")
        reply = QuestionReply.objects.create(question=question, author=actor, body=body)
        previous = question.status
        question.status = PrivacyQuestion.Status.ANSWERED
        question.save(update_fields=["status"])
        audit_record(
            event_type=EventType.PRIVACY_QUESTION_ANSWERED,
            actor=actor,
            target=question,
            changes={"reply": reply.pk, "status": [previous, question.status]},
            request=request,
        )
        enqueue_on_commit(tasks.question_reply_send, reply.pk)
    return reply


def _question_set_status(*, actor, question: PrivacyQuestion, status_for, event_type, request=None):
    """Lock the question, work out its new status from the locked row
    (``status_for``; None for "no change") and record the change."""
    _require_staff(actor, StaffPermission.PRIVACY_QUESTIONS_HANDLE)
    with transaction.atomic():
        question = PrivacyQuestion.objects.select_for_update().get(pk=question.pk)
        status = status_for(question)
        if status is None or status == question.status:
            return question
        previous = question.status
        question.status = status
        question.save(update_fields=["status"])
        audit_record(
            event_type=event_type,
            actor=actor,
            target=question,
            changes={"status": [previous, status]},
            request=request,
        )
    return question


def privacy_question_close(*, actor, question: PrivacyQuestion, request=None) -> PrivacyQuestion:
    return _question_set_status(
        actor=actor,
        question=question,
        status_for=lambda _question: PrivacyQuestion.Status.CLOSED,
        event_type=EventType.PRIVACY_QUESTION_CLOSED,
        request=request,
    )


def _reopened_status(question: PrivacyQuestion) -> str | None:
    """Back into the inbox: answered if we replied before, otherwise new."""
    if question.status != PrivacyQuestion.Status.CLOSED:
        return None
    return PrivacyQuestion.Status.ANSWERED if question.replies.exists() else PrivacyQuestion.Status.NEW


def privacy_question_reopen(*, actor, question: PrivacyQuestion, request=None) -> PrivacyQuestion:
    return _question_set_status(
        actor=actor,
        question=question,
        status_for=_reopened_status,
        event_type=EventType.PRIVACY_QUESTION_REOPENED,
        request=request,
    )
