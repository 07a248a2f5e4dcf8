from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.selectors import account_by_email
from accounts.staff_roles import StaffPermission, staff_holding
from organizations.models import Membership, Organization
from organizations.selectors import organizations_blocking_account_deletion

from .models import (
    CaseMessage,
    CaseShare,
    MinorReport,
    PrivacyQuestion,
    QuestionReply,
    SharedCaseReply,
    SupportCase,
)

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


def privacy_questions_of_person(*, user: User) -> QuerySet[PrivacyQuestion]:
    """The questions a person asked, with our answers: those sent from an address
    they have verified (the form needs no account, so the address is all that ties
    a question to them, and our answers went to it anyway)."""
    addresses = [
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    ]
    return (
        PrivacyQuestion.objects.annotate(address=Lower("email"))
        .filter(address__in=addresses)
        .prefetch_related(Prefetch("replies", queryset=QuestionReply.objects.order_by("created_at", "id")))
        .order_by("-created_at", "-id")
    )


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
        "open_cases": SupportCase.objects.filter(status=SupportCase.Status.OPEN).count(),
    }


# --- Support cases -----------------------------------------------------------------

_UNCLOSED_CASES = [SupportCase.Status.OPEN, SupportCase.Status.WAITING_ON_REPORTER]


def _with_status(cases: QuerySet[SupportCase], status: str) -> QuerySet[SupportCase]:
    """ "" → the cases not closed; "all" → every case; otherwise that status."""
    if status == "":
        return cases.filter(status__in=_UNCLOSED_CASES)
    if status != "all":
        return cases.filter(status=status)
    return cases


def cases_for_reporter(*, user: User, status: str = "all") -> QuerySet[SupportCase]:
    cases = SupportCase.objects.filter(reporter=user).select_related("organization")
    return _with_status(cases, status).order_by("-updated_at", "-id")


def access_case_for_reporter(*, user: User, public_id) -> SupportCase:
    """The reporter's own case; anyone else's answers 404, like one that does not exist."""
    return get_object_or_404(
        SupportCase.objects.select_related("organization"), reporter=user, public_id=public_id
    )


def case_messages_for_reporter(*, case: SupportCase) -> QuerySet[CaseMessage]:
    """The thread without internal notes."""
    return (
        case.messages.filter(kind__in=CaseMessage.VISIBLE_TO_REPORTER)
        .select_related("author", "share__organization")
        .order_by("created_at", "id")
    )


def staff_cases(*, actor: User, status: str = "", assignee: str = "all") -> QuerySet[SupportCase]:
    """The staff queue. ``assignee``: "mine", "unassigned" or "all"."""
    cases = _with_status(
        SupportCase.objects.select_related("reporter", "organization", "assigned_to"), status
    )
    if assignee == "mine":
        cases = cases.filter(assigned_to=actor)
    elif assignee == "unassigned":
        cases = cases.filter(assigned_to__isnull=True)
    return cases.annotate(message_count=Count("messages")).order_by("-updated_at", "-id")


def access_case_for_staff(*, case_id: int) -> SupportCase:
    return get_object_or_404(
        SupportCase.objects.select_related("reporter", "organization", "assigned_to"), pk=case_id
    )


def access_case_by_public_id(*, public_id) -> SupportCase:
    """Any case, by its public id (the API, for staff)."""
    return get_object_or_404(
        SupportCase.objects.select_related("reporter", "organization", "assigned_to"), public_id=public_id
    )


def case_messages_for_staff(*, case: SupportCase) -> QuerySet[CaseMessage]:
    """The whole thread, internal notes included."""
    return case.messages.select_related("author", "share__organization").order_by("created_at", "id")


def support_staff() -> QuerySet[User]:
    """Who a case can be assigned to."""
    return (
        staff_holding(StaffPermission.SUPPORT_CASES_HANDLE).filter(is_active=True).order_by("name", "email")
    )


def shared_reply_recipients(*, case: SupportCase) -> tuple[list[str], str]:
    """Who is emailed when an organisation replies on a share of ``case``, and in
    which language: the assigned staff member; with nobody (active) assigned, the
    support queue's address if one is configured, else everyone a case can be
    assigned to (in their language when they share one). Nobody at all: ``[]``."""
    assignee = case.assigned_to
    if assignee is not None and assignee.is_active:
        return [assignee.email], assignee.language
    if settings.SUPPORT_QUEUE_EMAIL:
        return [settings.SUPPORT_QUEUE_EMAIL], settings.LANGUAGE_CODE
    people = list(support_staff().values_list("email", "language"))
    languages = {language for _email, language in people}
    return [email for email, _language in people], (
        languages.pop() if len(languages) == 1 else settings.LANGUAGE_CODE
    )


def case_organizations_for(*, user: User) -> QuerySet[Organization]:
    """The organisations a reporter may link a case to: their own."""
    return Organization.objects.filter(memberships__user=user).order_by("name")


# --- Shared cases --------------------------------------------------------------------


def case_shares_for_staff(*, case: SupportCase) -> list[CaseShare]:
    """The case's shares, each with its organisation's replies (staff case page)."""
    return list(
        case.shares.select_related("organization", "reviewed_by")
        .prefetch_related(Prefetch("replies", queryset=SharedCaseReply.objects.select_related("author")))
        .order_by("shared_at", "id")
    )


def shared_cases_for_organization(*, organization: Organization) -> QuerySet[CaseShare]:
    """What was shared with the organisation: masked texts only (the case is never joined in)."""
    return (
        CaseShare.objects.filter(organization=organization)
        .select_related("reviewed_by")
        .annotate(reply_count=Count("replies"))
        .order_by("-shared_at", "-id")
    )


def access_shared_case(*, organization: Organization, share_id) -> CaseShare:
    """A share of this organisation; another organisation's is a 404."""
    return get_object_or_404(
        CaseShare.objects.select_related("reviewed_by", "organization"),
        organization=organization,
        public_id=share_id,
    )


def shared_case_replies(*, share: CaseShare) -> QuerySet[SharedCaseReply]:
    return share.replies.select_related("author").order_by("created_at", "id")
