from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.selectors import account_by_email
from organizations.models import Membership, Organization
from organizations.selectors import organizations_blocking_account_deletion

from .models import MinorReport, PrivacyQuestion, QuestionReply

# The queues open on what still needs someone; "all" shows everything.
_OPEN_REPORTS = [MinorReport.Status.NEW, MinorReport.Status.SUSPENDED]
_OPEN_QUESTIONS = [PrivacyQuestion.Status.NEW, PrivacyQuestion.Status.ANSWERED]


def minor_reports(*, status: str = "") -> QuerySet[MinorReport]:
    reports = MinorReport.objects.select_related("account")
    if status == "":
        reports = reports.filter(status__in=_OPEN_REPORTS)
    elif status != "all":
        reports = reports.filter(status=status)
    return reports.order_by("-created_at", "-id")


def access_minor_report(*, report_id: int) -> MinorReport:
    return get_object_or_404(MinorReport.objects.select_related("account", "handled_by"), pk=report_id)


def minor_report_candidate(*, report: MinorReport) -> User | None:
    """The account the report most likely means: the one it acted on, else the
    one signed in with the address the reporter gave."""
    if report.account_id:
        return report.account
    return account_by_email(email=report.reported_email) if report.reported_email else None


def account_memberships(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")


def account_deletion_blockers(*, user: User) -> QuerySet[Organization]:
    return organizations_blocking_account_deletion(user=user)


def privacy_questions(*, status: str = "") -> QuerySet[PrivacyQuestion]:
    questions = PrivacyQuestion.objects.annotate(reply_count=Count("replies"))
    if status == "":
        questions = questions.filter(status__in=_OPEN_QUESTIONS)
    elif status != "all":
        questions = questions.filter(status=status)
    return questions.order_by("-created_at", "-id")


def access_privacy_question(*, question_id: int) -> PrivacyQuestion:
    return get_object_or_404(PrivacyQuestion, pk=question_id)


def question_replies(*, question: PrivacyQuestion) -> QuerySet[QuestionReply]:
    return question.replies.select_related("author").order_by("created_at", "id")


def open_counts() -> dict[str, int]:
    """How much waits in each staff queue (the staff overview)."""
    return {
        **MinorReport.objects.aggregate(
            minor_reports=Count("pk", filter=Q(status__in=_OPEN_REPORTS)),
            new_minor_reports=Count("pk", filter=Q(status=MinorReport.Status.NEW)),
        ),
        "new_questions": PrivacyQuestion.objects.filter(status=PrivacyQuestion.Status.NEW).count(),
    }
