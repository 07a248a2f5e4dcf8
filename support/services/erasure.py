"""What erasure (issue 9) and an organisation's retention period do to support records."""

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from audit.evidence import evidence_purge

from ..masking import mask_person
from ..models import (
    CaseMessage,
    CasePseudonym,
    CaseShare,
    MinorReport,
    PrivacyQuestion,
    SharedCaseReply,
    SupportCase,
)
from .case_shares import reporter_identity


def person_erase_support_data(*, user: User, addresses: list[str], placeholder: str) -> dict:
    """What erasure does to support records about a person (core.register):
    their cases go with their messages, except that a case shared (masked) with an
    organisation keeps an empty row for the share to point at; replies they wrote
    to shared cases and privacy questions from their addresses go; reports of a
    child under 13 stay with the team, their address in them replaced by the
    placeholder and their identifiers masked in what was written."""
    person = reporter_identity(user)
    lower = [address.lower() for address in addresses]
    with transaction.atomic():
        cases = SupportCase.objects.filter(reporter=user)
        shared = list(cases.filter(shares__isnull=False).distinct().values_list("pk", flat=True))
        counts = {
            "case_messages_deleted": CaseMessage.objects.filter(case__reporter=user).delete()[0],
            "cases_emptied": SupportCase.objects.filter(pk__in=shared).update(
                subject="", body="", status=SupportCase.Status.CLOSED
            ),
            # An emptied case is never shared again: the fingerprints of its values go.
            "case_pseudonyms_deleted": CasePseudonym.objects.filter(case__reporter=user).delete()[0],
            "cases_deleted": cases.exclude(pk__in=shared).delete()[1].get(SupportCase._meta.label, 0),
            "shared_case_replies_deleted": SharedCaseReply.objects.filter(author=user).delete()[0],
            "privacy_questions_deleted": PrivacyQuestion.objects.annotate(address=Lower("email"))
            .filter(address__in=lower)
            .delete()[1]
            .get(PrivacyQuestion._meta.label, 0),
            "minor_reports_pseudonymised": 0,
        }
        reports = MinorReport.objects.annotate(
            sender=Lower("reporter_email"), reported=Lower("reported_email")
        ).select_for_update()
        for report in reports.filter(Q(account=user) | Q(reported__in=lower) | Q(sender__in=lower)):
            report.description = mask_person(report.description, person=person)
            if report.sender in lower:
                report.reporter_email = placeholder
            if report.account_id == user.pk or report.reported in lower:
                report.account = user
                report.reported_email, report.reported_details = placeholder, ""
                if report.is_open:  # the account it is about no longer exists
                    report.status, report.handled_at = MinorReport.Status.DELETED, timezone.now()
            report.save()
            counts["minor_reports_pseudonymised"] += 1
    return counts


def organization_support_retention(*, organization_id: int, cutoff) -> dict:
    """The organisation's retention period (data_requests.retention): shares of
    cases with it made before ``cutoff`` are deleted (evidence, through the one
    purge path) with their replies and the reporter's notice of them; cases about
    it that have not changed since are deleted, or emptied where a later share
    still points at them."""
    share_ids = list(
        CaseShare.objects.filter(organization_id=organization_id, shared_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    counts = {
        "shared_case_replies_deleted": SharedCaseReply.objects.filter(share_id__in=share_ids).delete()[0],
        "share_notices_deleted": CaseMessage.objects.filter(share_id__in=share_ids).delete()[0],
        "shared_cases_deleted": evidence_purge(CaseShare.objects.filter(pk__in=share_ids)),
    }
    old = SupportCase.objects.filter(organization_id=organization_id, updated_at__lt=cutoff)
    still_shared = list(old.filter(shares__isnull=False).distinct().values_list("pk", flat=True))
    CaseMessage.objects.filter(case_id__in=still_shared).exclude(kind=CaseMessage.Kind.SHARE_NOTICE).delete()
    counts["support_cases_emptied"] = SupportCase.objects.filter(pk__in=still_shared).update(
        subject="", body=""
    )
    counts["case_pseudonyms_deleted"] = CasePseudonym.objects.filter(case_id__in=still_shared).delete()[0]
    counts["support_cases_deleted"] = (
        old.exclude(pk__in=still_shared).delete()[1].get(SupportCase._meta.label, 0)
    )
    return counts
