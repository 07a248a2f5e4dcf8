"""Reports of a child under 13 with an account: filed from the public form,
handled by staff (suspend, delete or dismiss)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import user_delete_profile, user_reinstate, user_suspend
from accounts.staff_roles import StaffPermission
from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict
from core.tasks import enqueue_on_commit
from organizations.services import memberships_end_for_deleted_account

from .. import tasks
from ..models import MinorReport
from ._common import _require_staff, _signed_in


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
        enqueue_on_commit(tasks.minor_report_acknowledge, report.pk)
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
    _require_staff(actor, StaffPermission.MINOR_REPORTS_HANDLE)
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
    _require_staff(actor, StaffPermission.MINOR_REPORTS_HANDLE)
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
    _require_staff(actor, StaffPermission.MINOR_REPORTS_HANDLE)
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
