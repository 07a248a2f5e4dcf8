"""Emails of the support app. Each task takes an id, re-reads the row under a
lock and sends only if the row's sent column is empty, so a retried or
duplicated task never sends twice; the sweep re-enqueues what a lost message
left unsent."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.mail import send_templated_email
from core.tasks import EMAIL_TASK_OPTIONS

logger = logging.getLogger(__name__)


def _send(*, template: str, **kwargs) -> None:
    send_templated_email(template=f"support/email/{template}", **kwargs)


@shared_task(**EMAIL_TASK_OPTIONS)
def minor_report_acknowledge(self, report_id: int) -> str:
    """Tell the reporter we received the report. The email does not repeat what
    they wrote: the form accepts any address, and our mail must not carry a
    stranger's text to it."""
    from .models import MinorReport

    with transaction.atomic():
        report = MinorReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.acknowledged_at:
            return "skipped"
        # Sent inside the lock: if sending fails the row stays unsent and the retry sends it.
        _send(
            template="minor_report_ack",
            context={"report": report},
            to=report.reporter_email,
            language=report.language,
        )
        report.acknowledged_at = timezone.now()
        report.save(update_fields=["acknowledged_at"])
    return "sent"


@shared_task(**EMAIL_TASK_OPTIONS)
def privacy_question_acknowledge(self, question_id: int) -> str:
    """Confirm receipt of a question, without repeating it (see above)."""
    from .models import PrivacyQuestion

    with transaction.atomic():
        question = PrivacyQuestion.objects.select_for_update().filter(pk=question_id).first()
        if question is None or question.acknowledged_at:
            return "skipped"
        _send(
            template="question_ack",
            context={"question": question},
            to=question.email,
            language=question.language,
        )
        question.acknowledged_at = timezone.now()
        question.save(update_fields=["acknowledged_at"])
    return "sent"


@shared_task(**EMAIL_TASK_OPTIONS)
def question_reply_send(self, reply_id: int) -> str:
    """Email a staff reply to the person who asked, once."""
    from .models import QuestionReply

    with transaction.atomic():
        reply = (
            QuestionReply.objects.select_for_update(of=("self",))
            .select_related("question")
            .filter(pk=reply_id)
            .first()
        )
        if reply is None or reply.sent_at:
            return "skipped"
        _send(
            template="question_reply",
            context={"reply": reply, "question": reply.question},
            to=reply.question.email,
            language=reply.question.language,
        )
        reply.sent_at = timezone.now()
        reply.save(update_fields=["sent_at"])
    return "sent"


def _email_case_message(message_id: int, *, kind: str, template: str, anchor) -> str:
    """Email one case message (a staff reply, a share notice) to the case's
    reporter, once: ``emailed_at`` under the row lock makes a retried or
    duplicated task a no-op. ``anchor`` gives the link's #fragment, if any."""
    from django.urls import reverse

    from .models import CaseMessage

    with transaction.atomic():
        message = (
            CaseMessage.objects.select_for_update(of=("self",))
            .select_related("case", "case__reporter", "share", "share__organization")
            .filter(pk=message_id, kind=kind)
            .first()
        )
        if message is None or message.emailed_at:
            return "skipped"
        reporter = message.case.reporter
        if not reporter.is_active:
            return "skipped"  # a suspended or deleted account gets no mail
        link = settings.SITE_URL.rstrip("/") + reverse("privacy_case", args=[message.case.public_id])
        _send(
            template=template,
            context={
                "reply": message,
                "case": message.case,
                "share": message.share,
                "link": link + anchor(message),
            },
            to=reporter.email,
            language=reporter.language,
        )
        message.emailed_at = timezone.now()
        message.save(update_fields=["emailed_at"])
    return "sent"


@shared_task(**EMAIL_TASK_OPTIONS)
def case_reply_send(self, message_id: int) -> str:
    """Email a staff reply on a support case to its reporter, once. Internal
    notes and the reporter's own messages are never emailed."""
    from .models import CaseMessage

    return _email_case_message(
        message_id, kind=CaseMessage.Kind.STAFF_REPLY, template="case_reply", anchor=lambda message: ""
    )


@shared_task(**EMAIL_TASK_OPTIONS)
def case_share_notify(self, message_id: int) -> str:
    """Tell the reporter, once, that their case was shared in masked form with
    their organisation's administrators, with a link to exactly what was shared."""
    from .models import CaseMessage

    return _email_case_message(
        message_id,
        kind=CaseMessage.Kind.SHARE_NOTICE,
        template="case_shared",
        anchor=lambda notice: f"#share-{notice.share.public_id}",
    )


@shared_task(**EMAIL_TASK_OPTIONS)
def shared_case_reply_send(self, reply_id: int) -> str:
    """Email an organisation's reply on a shared case to iCentrex support, once:
    the staff member the case is assigned to, or with nobody (active) assigned,
    the support queue (``selectors.shared_reply_recipients``). All recipients get
    the one message, so a retry after a failed send never mails anyone twice."""
    from django.urls import reverse

    from .models import SharedCaseReply
    from .selectors import shared_reply_recipients

    with transaction.atomic():
        reply = (
            SharedCaseReply.objects.select_for_update(of=("self",))
            .select_related("share__case__assigned_to", "share__organization")
            .filter(pk=reply_id)
            .first()
        )
        if reply is None or reply.emailed_at:
            return "skipped"
        case = reply.share.case
        recipients, language = shared_reply_recipients(case=case)
        if not recipients:
            logger.warning("Shared case reply %s: no support staff to tell", reply_id)
            return "skipped"
        link = settings.SITE_URL.rstrip("/") + reverse("staff_case", args=[case.pk])
        _send(
            template="shared_case_reply",
            context={
                "reply": reply,
                "share": reply.share,
                "link": link,
                "assigned": case.assigned_to is not None and case.assigned_to.is_active,
            },
            to=recipients,
            language=language,
        )
        reply.emailed_at = timezone.now()
        reply.save(update_fields=["emailed_at"])
    return "sent"


# Younger rows may still have their first task in flight; older ones are not
# worth an email any more (someone will have written to us another way).
SWEEP_AFTER = timedelta(minutes=10)
SWEEP_UNTIL = timedelta(days=2)


@shared_task
def support_email_sweep() -> dict:
    """Periodic (Celery beat): re-enqueue emails whose task was lost. Safe to
    overlap with a task still running: each one checks its row under a lock."""
    from .models import CaseMessage, MinorReport, PrivacyQuestion, QuestionReply, SharedCaseReply

    now = timezone.now()
    window = {"created_at__lt": now - SWEEP_AFTER, "created_at__gte": now - SWEEP_UNTIL}
    found = {
        "minor_reports": list(
            MinorReport.objects.filter(acknowledged_at__isnull=True, **window).values_list("pk", flat=True)
        ),
        "questions": list(
            PrivacyQuestion.objects.filter(acknowledged_at__isnull=True, **window).values_list(
                "pk", flat=True
            )
        ),
        "replies": list(
            QuestionReply.objects.filter(sent_at__isnull=True, **window).values_list("pk", flat=True)
        ),
        "case_replies": list(
            CaseMessage.objects.filter(
                kind=CaseMessage.Kind.STAFF_REPLY,
                emailed_at__isnull=True,
                case__reporter__is_active=True,
                **window,
            ).values_list("pk", flat=True)
        ),
        "share_notices": list(
            CaseMessage.objects.filter(
                kind=CaseMessage.Kind.SHARE_NOTICE,
                emailed_at__isnull=True,
                case__reporter__is_active=True,
                **window,
            ).values_list("pk", flat=True)
        ),
        "shared_case_replies": list(
            # Assigned or not: with nobody assigned the support queue is told.
            SharedCaseReply.objects.filter(emailed_at__isnull=True, **window).values_list("pk", flat=True)
        ),
    }
    for pk in found["minor_reports"]:
        minor_report_acknowledge.delay(pk)
    for pk in found["questions"]:
        privacy_question_acknowledge.delay(pk)
    for pk in found["replies"]:
        question_reply_send.delay(pk)
    for pk in found["case_replies"]:
        case_reply_send.delay(pk)
    for pk in found["share_notices"]:
        case_share_notify.delay(pk)
    for pk in found["shared_case_replies"]:
        shared_case_reply_send.delay(pk)
    if any(found.values()):
        logger.warning("Support emails re-enqueued by the sweep: %s", found)
    return {key: len(ids) for key, ids in found.items()}
