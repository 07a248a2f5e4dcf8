"""Support cases: opened and answered by the signed-in reporter, handled by
support staff (assignment, status, internal notes and replies)."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.staff_roles import StaffPermission, staff_has_permission
from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, Forbidden, RuleViolation
from core.tasks import enqueue_on_commit
from organizations.models import Membership, Organization

from .. import tasks
from ..models import CaseMessage, SupportCase
from ._common import _clean_text, _lock_case, _require_staff, _touch


def _require_signed_in(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise Forbidden(_("Sign in to open a support case."), code="not_signed_in")


def case_open(
    *, actor, subject: str, body: str, organization: Organization | None = None, request=None
) -> SupportCase:
    """Open a case for the signed-in person. The organisation, if given, must be
    one they belong to; otherwise nothing is written."""
    _require_signed_in(actor)
    subject = " ".join(subject.split())
    if not subject:
        raise RuleViolation(_("Give the case a subject."), code="blank")
    if len(subject) > SupportCase.SUBJECT_MAX:
        raise RuleViolation(_("The subject is too long."), code="too_long")
    body = _clean_text(body)
    if (
        organization is not None
        and not Membership.objects.filter(user=actor, organization=organization).exists()
    ):
        raise RuleViolation(
            _("You can only link a case to an organisation you belong to."), code="organization_not_yours"
        )
    with transaction.atomic():
        case = SupportCase.objects.create(
            reporter=actor, subject=subject, body=body, organization=organization
        )
        audit_record(
            event_type=EventType.SUPPORT_CASE_OPENED,
            actor=actor,
            target=case,
            changes={"organization": organization.pk if organization else None},
            request=request,
        )
    return case


def case_reply_by_reporter(*, actor, case: SupportCase, body: str, request=None) -> CaseMessage:
    """The reporter adds to their case; it goes back to staff (status open)."""
    _require_signed_in(actor)
    body = _clean_text(body)
    with transaction.atomic():
        case = _lock_case(case)
        if case.reporter_id != actor.pk:
            raise Forbidden(_("This is not your case."), code="not_your_case")
        if case.status == SupportCase.Status.CLOSED:
            raise Conflict(
                _("This case is closed. Open a new case to write to us again."), code="case_closed"
            )
        message = CaseMessage.objects.create(
            case=case, author=actor, kind=CaseMessage.Kind.REPORTER, body=body
        )
        previous = _touch(case, status=SupportCase.Status.OPEN)
        audit_record(
            event_type=EventType.SUPPORT_CASE_REPORTER_REPLIED,
            actor=actor,
            target=case,
            changes={"message": message.pk, "status": [previous, case.status]},
            request=request,
        )
    return message


def case_assign(*, actor, case: SupportCase, assignee: User | None, request=None) -> SupportCase:
    """Give the case to a support staff member (oneself or another), or to nobody."""
    _require_staff(actor, StaffPermission.SUPPORT_CASES_HANDLE)
    if assignee is not None and not staff_has_permission(assignee, StaffPermission.SUPPORT_CASES_HANDLE):
        raise RuleViolation(
            _("Cases can only be assigned to support staff or privacy officers."), code="assignee_not_staff"
        )
    with transaction.atomic():
        case = _lock_case(case)
        if case.assigned_to_id == (assignee.pk if assignee else None):
            return case
        previous = case.assigned_to_id
        case.assigned_to = assignee
        case.save(update_fields=["assigned_to", "updated_at"])
        audit_record(
            event_type=EventType.SUPPORT_CASE_ASSIGNED,
            actor=actor,
            target=case,
            changes={"assigned_to": [previous, case.assigned_to_id]},
            request=request,
        )
    return case


def case_set_status(*, actor, case: SupportCase, status: str, request=None) -> SupportCase:
    _require_staff(actor, StaffPermission.SUPPORT_CASES_HANDLE)
    if status not in SupportCase.Status.values:
        raise RuleViolation(_("Unknown status."), code="invalid_status")
    with transaction.atomic():
        case = _lock_case(case)
        if case.status == status:
            return case
        previous = _touch(case, status=status)
        audit_record(
            event_type=EventType.SUPPORT_CASE_STATUS_CHANGED,
            actor=actor,
            target=case,
            changes={"status": [previous, status]},
            request=request,
        )
    return case


def case_add_internal_note(*, actor, case: SupportCase, body: str, request=None) -> CaseMessage:
    """A note for staff only: never shown or sent to the reporter."""
    _require_staff(actor, StaffPermission.SUPPORT_CASES_HANDLE)
    body = _clean_text(body)
    with transaction.atomic():
        case = _lock_case(case)
        note = CaseMessage.objects.create(
            case=case, author=actor, kind=CaseMessage.Kind.INTERNAL_NOTE, body=body
        )
        _touch(case)
        audit_record(
            event_type=EventType.SUPPORT_CASE_NOTE_ADDED,
            actor=actor,
            target=case,
            changes={"message": note.pk},
            request=request,
        )
    return note


def case_reply_by_staff(*, actor, case: SupportCase, body: str, request=None) -> CaseMessage:
    """Answer the reporter: shown in their privacy centre and emailed once the
    reply is committed; the case then waits on the reporter."""
    _require_staff(actor, StaffPermission.SUPPORT_CASES_HANDLE)
    body = _clean_text(body)
    with transaction.atomic():
        case = _lock_case(case)
        if case.status == SupportCase.Status.CLOSED:
            raise Conflict(_("The case is closed. Reopen it to reply."), code="case_closed")
        reply = CaseMessage.objects.create(
            case=case, author=actor, kind=CaseMessage.Kind.STAFF_REPLY, body=body
        )
        previous = _touch(case, status=SupportCase.Status.WAITING_ON_REPORTER)
        audit_record(
            event_type=EventType.SUPPORT_CASE_STAFF_REPLIED,
            actor=actor,
            target=case,
            changes={"message": reply.pk, "status": [previous, case.status]},
            request=request,
        )
        enqueue_on_commit(tasks.case_reply_send, reply.pk)
    return reply
