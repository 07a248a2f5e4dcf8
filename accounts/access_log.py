"""Who looked at my data: every time iCentrex staff open a person's support
case, privacy question, a report that they may be under 13, or their
data-subject request, an audit event about that person records it — who (the
staff member, shown to the person by role unless ``ACCESS_LOG_SHOWS_STAFF_NAMES``),
when, from which screen and why (the screen's purpose, said once here). The
events are ordinary audit events: append-only, hash-chained and sealed, in the
person's copy of their data, unlinked on erasure. The person reads them under
*Privacy centre → Who looked at my data*."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.events import EventType
from audit.models import AuditEvent
from audit.selectors import audit_events_for_subject, audit_events_readable
from audit.services import audit_record
from subjects.models import SubjectLink

from .staff_roles import StaffRole, staff_role_of


class Screen(models.TextChoices):
    SUPPORT_CASE = "support_case", _("Your support case")
    PRIVACY_QUESTION = "privacy_question", _("Your privacy question")
    MINOR_REPORT = "minor_report", _("A report that your account may belong to a child under 13")
    SUBJECT_REQUEST = "subject_request", _("Your request about your data")
    EVIDENCE_PACK = "evidence_pack", _("An evidence pack about you: your data with the proofs that verify it")


WHY = {
    Screen.SUPPORT_CASE: _("To answer or handle the case you opened."),
    Screen.PRIVACY_QUESTION: _("To answer your question."),
    Screen.MINOR_REPORT: _("To check the report before acting on it."),
    Screen.SUBJECT_REQUEST: _("To answer your request within its deadline."),
}

ROLES = {
    StaffRole.PRIVACY_OFFICER: _("A privacy officer"),
    StaffRole.SUPPORT: _("A support agent"),
    "administrator": _("An administrator"),
    "staff": _("A member of iCentrex staff"),
}


def staff_opened(
    *, staff, person, screen: Screen, target, request=None, reason: str = ""
) -> AuditEvent | None:
    """Record that ``staff`` opened ``person``'s data on ``screen``. Nothing
    for someone opening their own, or when no account is concerned. A
    ``reason`` the staff member gave (for an evidence pack) is sealed under the
    person's key: it may name them, and it is theirs to read."""
    if person is None or staff is None or person.pk == staff.pk:
        return None
    return audit_record(
        event_type=EventType.STAFF_OPENED_PERSONAL_DATA,
        actor=staff,
        subject=person,
        target=target,
        changes={"screen": screen, "role": staff_role_of(staff)},
        personal_changes={"reason": reason} if reason else None,
        request=request,
    )


def staff_openings_for(*, subject_key):
    """The person's openings by staff, newest first (a queryset, to page)."""
    return (
        audit_events_for_subject(subject_key=subject_key)
        .filter(event_type=EventType.STAFF_OPENED_PERSONAL_DATA, subject_key=subject_key)
        .order_by("-id")
    )


def readable(events) -> list[dict]:
    """What the person is shown for each opening: when, who (a role, or a name
    where the setting says so), the screen and why."""
    names = {}
    if settings.ACCESS_LOG_SHOWS_STAFF_NAMES:
        keys = {e.actor_subject for e in events if e.actor_subject}
        names = {
            key: name or email
            for key, name, email in SubjectLink.objects.filter(subject_key__in=keys).values_list(
                "subject_key", "user__name", "user__email"
            )
        }
    rows = []
    for event, personal in audit_events_readable(events):
        screen = event.changes.get("screen", "")
        rows.append(
            {
                "when": event.occurred_at,
                "who": names.get(event.actor_subject) or ROLES.get(event.changes.get("role"), ROLES["staff"]),
                "screen": Screen(screen).label if screen in Screen.values else screen,
                "why": (personal or {}).get("reason") or WHY.get(screen, ""),
            }
        )
    return rows
