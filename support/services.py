from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import is_support_staff
from accounts.services import user_delete_profile, user_reinstate, user_suspend
from audit.events import EventType
from audit.services import audit_record
from icentrex.errors import Conflict, Forbidden
from organizations.services import memberships_end_for_deleted_account

from . import tasks
from .models import MinorReport, PrivacyQuestion, QuestionReply


def _require_support_staff(actor) -> None:
    if not is_support_staff(actor):
        raise Forbidden(
            _("Only support staff and privacy officers handle reports and questions."),
            code="not_support_staff",
        )


def _signed_in(actor) -> User | None:
    """The public forms need no account; a signed-in sender is recorded as the actor."""
    return actor if actor is not None and actor.is_authenticated else None


# --- Minor reports ---------------------------------------------------------------


def minor_report_create(
    *,
    actor,
    reporter_email: str,
    reported_email: str,
    reported_details: str,
    description: str,
    language: str = "",
    request=None,
) -> MinorReport:
    """File a report from the public form and acknowledge it by email once it is
    committed."""
    with transaction.atomic():
        report = MinorReport.objects.create(
            reporter_email=reporter_email,
            reported_email=reported_email,
            reported_details=reported_details.strip(),
            description=description.strip(),
            language=language,
        )
        # Nothing personal in the event: the reporter may have no account, and the
        # reported person must not find the report in their own activity.
        audit_record(
            event_type=EventType.MINOR_REPORT_RECEIVED,
            actor=_signed_in(actor),
            target=report,
            request=request,
        )
        transaction.on_commit(lambda: tasks.minor_report_acknowledge.delay(report.pk))
    return report


def _lock_report(report: MinorReport) -> MinorReport:
    return MinorReport.objects.select_for_update(of=("self",)).select_related("account").get(pk=report.pk)


def _move_open_reports(*, account: User, status: str, actor) -> list[int]:
    """Every open report about the same account follows what was done to it, so
    a second report about a suspended or deleted account does not wait in the queue."""
    reports = MinorReport.objects.select_for_update().filter(account=account, status__in=MinorReport.OPEN)
    ids = sorted(reports.values_list("pk", flat=True))
    fields = {"status": status, "handled_by": actor, "handled_at": timezone.now()}
    if status == MinorReport.Status.DELETED:
        # What the reports say about the child goes with the account.
        fields.update(reported_email="", reported_details="", description="")
    MinorReport.objects.filter(pk__in=ids).update(**fields)
    return ids


def minor_report_suspend_account(*, actor, report: MinorReport, account: User, request=None) -> MinorReport:
    """Suspend the reported account at once (no sign-in, sessions and tokens
    end) and tie the report to it."""
    _require_support_staff(actor)
    with transaction.atomic():
        report = _lock_report(report)
        if report.status != MinorReport.Status.NEW:
            raise Conflict(_("This report has already been handled."), code="report_handled")
        # Tie this report and any other new one naming the same address to the
        # account, then move them along together. Reports are locked before the
        # account, in every action, so two staff members cannot deadlock.
        MinorReport.objects.filter(
            Q(pk=report.pk)
            | Q(status=MinorReport.Status.NEW, account__isnull=True, reported_email__iexact=account.email)
        ).update(account=account)
        _move_open_reports(account=account, status=MinorReport.Status.SUSPENDED, actor=actor)
        user_suspend(actor=actor, user=account, context={"minor_report": report.pk}, request=request)
    report.refresh_from_db()
    return report


def minor_report_delete_account(*, actor, report: MinorReport, request=None) -> MinorReport:
    """Delete a suspended account: its organisation memberships end (as the
    organisations' rules allow), its profile data goes and the person is
    crypto-shredded; the reports' details about them go too."""
    _require_support_staff(actor)
    with transaction.atomic():
        report = _lock_report(report)
        if report.status != MinorReport.Status.SUSPENDED:
            raise Conflict(_("Suspend the account before deleting it."), code="not_suspended")
        account = report.account
        ended = memberships_end_for_deleted_account(actor=actor, user=account, request=request)
        report_ids = _move_open_reports(account=account, status=MinorReport.Status.DELETED, actor=actor)
        user_delete_profile(
            actor=actor,
            user=account,
            context={"minor_reports": report_ids, **ended},
            request=request,
        )
    report.refresh_from_db()
    return report


def minor_report_dismiss(*, actor, report: MinorReport, request=None) -> MinorReport:
    """Close a report without deleting anything. A suspended account is
    reinstated (the person sets a new password through password reset)."""
    _require_support_staff(actor)
    with transaction.atomic():
        report = _lock_report(report)
        if not report.is_open:
            raise Conflict(_("This report has already been handled."), code="report_handled")
        reinstated = False
        if report.status == MinorReport.Status.SUSPENDED:
            # Reinstate only when no other report still holds the account suspended.
            others = MinorReport.objects.filter(
                account=report.account, status=MinorReport.Status.SUSPENDED
            ).exclude(pk=report.pk)
            if not others.exists():
                user_reinstate(
                    actor=actor, user=report.account, context={"minor_report": report.pk}, request=request
                )
                reinstated = True
        previous = report.status
        report.status = MinorReport.Status.DISMISSED
        report.handled_by, report.handled_at = actor, timezone.now()
        report.save(update_fields=["status", "handled_by", "handled_at"])
        audit_record(
            event_type=EventType.MINOR_REPORT_DISMISSED,
            actor=actor,
            target=report,
            changes={"status": [previous, report.status], "account_reinstated": reinstated},
            request=request,
        )
    return report


# --- Privacy questions -------------------------------------------------------------


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
        transaction.on_commit(lambda: tasks.privacy_question_acknowledge.delay(question.pk))
    return question


def privacy_question_reply(*, actor, question: PrivacyQuestion, body: str, request=None) -> QuestionReply:
    """Store a staff reply and email it once committed; the question counts as answered."""
    _require_support_staff(actor)
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
        transaction.on_commit(lambda: tasks.question_reply_send.delay(reply.pk))
    return reply


def _question_set_status(*, actor, question: PrivacyQuestion, status_for, event_type, request=None):
    """Lock the question, work out its new status from the locked row
    (``status_for``; None for "no change") and record the change."""
    _require_support_staff(actor)
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
