"""Helpers the support services share."""

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.staff_roles import StaffPermission, require_staff_permission
from core.errors import RuleViolation

from ..models import SupportCase


def _require_staff(actor, permission: StaffPermission) -> None:
    require_staff_permission(
        actor,
        permission,
        message=_("Only support staff and privacy officers handle reports and questions."),
        code="not_support_staff",
    )


def _signed_in(actor) -> User | None:
    """The public forms need no account; a signed-in sender is recorded as the actor."""
    return actor if actor is not None and actor.is_authenticated else None


def _clean_text(value: str, *, limit: int = SupportCase.BODY_MAX) -> str:
    """The forms and the API check lengths first; this keeps a direct caller
    from storing an empty or oversized message all the same."""
    value = value.strip()
    if not value:
        raise RuleViolation(_("The message is empty."), code="blank")
    if len(value) > limit:
        raise RuleViolation(
            _("The message is too long: at most %(limit)s characters.") % {"limit": limit}, code="too_long"
        )
    return value


def _lock_case(case: SupportCase) -> SupportCase:
    return SupportCase.objects.select_for_update(of=("self",)).get(pk=case.pk)


def _touch(case: SupportCase, *, status: str | None = None) -> str:
    """Save the case's new status (if any) and bump updated_at; returns the previous status."""
    previous = case.status
    if status is not None:
        case.status = status
    case.save(update_fields=["status", "updated_at"])
    return previous
