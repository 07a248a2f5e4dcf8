"""The one registry of iCentrex staff roles and what each may do.

Staff roles are Django groups (the group names are the ``StaffRole`` values,
so existing databases keep working); superusers hold every permission. Views,
services and templates ask for a ``StaffPermission``, never for a group name,
so changing what a role may do is a change here only — as organisation roles
and their scopes are in ``organizations/roles.py``.

Django's own ``is_staff`` flag is not a role. It still grants what it granted
before this registry existed, and only that (``IS_STAFF_FLAG_PERMISSIONS``);
the site header shows its "Staff" link by the flag as well (templates/base.html,
no query on every page)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from rest_framework.permissions import BasePermission

from core.errors import Forbidden

from .models import User


class StaffRole(models.TextChoices):
    SUPPORT = "support"
    PRIVACY_OFFICER = "privacy_officer"


class StaffPermission(models.TextChoices):
    # The staff console's front page, and landing there after signing in.
    STAFF_CONSOLE_OPEN = "staff_console:open"
    MINOR_REPORTS_HANDLE = "minor_reports:handle"
    PRIVACY_QUESTIONS_HANDLE = "privacy_questions:handle"
    # Read every case with its internal notes, reply, note, assign, set the status,
    # share a case masked with its organisation's admins; and be assigned cases.
    SUPPORT_CASES_HANDLE = "support_cases:handle"
    # Draft, preview and publish policy versions and follow their change notices.
    POLICIES_PUBLISH = "policies:publish"
    # How far a published version's change notices are (the API's progress figures).
    POLICY_NOTICES_READ = "policy_notices:read"
    CONSENT_FIGURES_READ = "consent_figures:read"
    # Review what pages report that the cookie declaration lacks, and add it (a new revision).
    DECLARATION_MANAGE = "declaration:manage"
    PROVIDERS_MANAGE = "providers:manage"
    # Log a privacy question or support case as a data-subject request (access, erasure, ...).
    SUBJECT_REQUESTS_CLASSIFY = "subject_requests:classify"
    # The request queue and log: deadlines, extensions, identity checks, outcomes, yearly figures.
    SUBJECT_REQUESTS_MANAGE = "subject_requests:manage"
    # The records of processing (art. 30) and their kept editions.
    RECORDS_READ = "records:read"
    # Make and download a person's evidence pack (their data with its proofs), with a reason.
    EVIDENCE_PACKS_MAKE = "evidence_packs:make"


_SUPPORT_PERMISSIONS = frozenset(
    {
        StaffPermission.STAFF_CONSOLE_OPEN,
        StaffPermission.MINOR_REPORTS_HANDLE,
        StaffPermission.PRIVACY_QUESTIONS_HANDLE,
        StaffPermission.SUPPORT_CASES_HANDLE,
        StaffPermission.SUBJECT_REQUESTS_CLASSIFY,
    }
)

STAFF_ROLE_PERMISSIONS: dict[str, frozenset[StaffPermission]] = {
    StaffRole.SUPPORT: _SUPPORT_PERMISSIONS,
    # Privacy officers do everything support agents do, and own the policies,
    # the consent figures and the provider register.
    StaffRole.PRIVACY_OFFICER: _SUPPORT_PERMISSIONS
    | {
        StaffPermission.POLICIES_PUBLISH,
        StaffPermission.POLICY_NOTICES_READ,
        StaffPermission.CONSENT_FIGURES_READ,
        StaffPermission.DECLARATION_MANAGE,
        StaffPermission.PROVIDERS_MANAGE,
        StaffPermission.SUBJECT_REQUESTS_MANAGE,
        StaffPermission.RECORDS_READ,
        StaffPermission.EVIDENCE_PACKS_MAKE,
    },
}

# Django's is_staff flag on its own (without a staff role) has always let an
# account read the change-notice progress over the API; it opens nothing else.
IS_STAFF_FLAG_PERMISSIONS: frozenset[StaffPermission] = frozenset({StaffPermission.POLICY_NOTICES_READ})

ALL_STAFF_PERMISSIONS: frozenset[StaffPermission] = frozenset(StaffPermission)


def staff_permissions_for(user) -> frozenset[StaffPermission]:
    """Everything the person may do as staff, from one query (none for the
    signed-out and for superusers, who hold every permission)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return ALL_STAFF_PERMISSIONS
    roles = user.groups.filter(name__in=StaffRole.values).values_list("name", flat=True)
    permissions = set(IS_STAFF_FLAG_PERMISSIONS) if user.is_staff else set()
    for role in roles:
        permissions |= STAFF_ROLE_PERMISSIONS[role]
    return frozenset(permissions)


def staff_role_of(user) -> str:
    """The most senior staff role the person holds, for saying who acted
    without naming them: a ``StaffRole`` value, "administrator" for a
    superuser, "staff" for the bare ``is_staff`` flag."""
    if user.is_superuser:
        return "administrator"
    roles = set(user.groups.filter(name__in=StaffRole.values).values_list("name", flat=True))
    for role in (StaffRole.PRIVACY_OFFICER, StaffRole.SUPPORT):
        if role in roles:
            return role
    return "staff"


def staff_has_permission(user, permission: StaffPermission) -> bool:
    return permission in staff_permissions_for(user)


def staff_permission_flags(permissions) -> dict[str, bool]:
    """What templates test, as the organisation console's ``can``:
    ``staff_can.support_cases_handle`` for ``StaffPermission.SUPPORT_CASES_HANDLE``."""
    return {permission.name.lower(): True for permission in map(StaffPermission, permissions)}


def require_staff_permission(user, permission: StaffPermission, *, code: str, message=None) -> None:
    """For services: a person without the permission is refused (403) with ``code``."""
    if not staff_has_permission(user, permission):
        raise Forbidden(message, code=code)


def is_staff_account(user) -> bool:
    """An account that belongs to iCentrex's staff: Django's is_staff flag, a
    superuser, or any staff role. Such accounts are closed by an administrator."""
    return user.is_staff or user.is_superuser or bool(staff_permissions_for(user))


def staff_holding(permission: StaffPermission) -> QuerySet[User]:
    """Every account holding ``permission`` (active or not; callers narrow)."""
    roles = [role for role, permissions in STAFF_ROLE_PERMISSIONS.items() if permission in permissions]
    holders = Q(is_superuser=True) | Q(groups__name__in=roles)
    if permission in IS_STAFF_FLAG_PERMISSIONS:
        holders |= Q(is_staff=True)
    return User.objects.filter(holders).distinct()


def staff_permission_required(permission: StaffPermission):
    """Decorator for staff console pages: signed out → the sign-in page; signed
    in without ``permission`` → 403. The person's permissions stay on
    ``request.staff_permissions`` for the page."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.staff_permissions = staff_permissions_for(request.user)
            if permission not in request.staff_permissions:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def staff_api_permission(permission: StaffPermission, *, code: str, message=None) -> type[BasePermission]:
    """A DRF permission class (it replaces the default ``IsAuthenticated``):
    signed out → 401; signed in without ``permission`` → 403 with ``code`` (and
    ``message``), for every method the view answers. OPTIONS (it describes the
    endpoint and reveals nothing) and methods the view does not answer (DRF's
    405) are left to everyone signed in, as when views checked in their handlers."""

    class StaffAPIPermission(BasePermission):
        def has_permission(self, request, view):
            if not request.user.is_authenticated:
                return False
            method = request.method.lower()
            if method == "options" or method not in view.http_method_names or not hasattr(view, method):
                return True
            return staff_has_permission(request.user, permission)

    StaffAPIPermission.message = message or Forbidden.default_message
    StaffAPIPermission.code = code
    StaffAPIPermission.__name__ = StaffAPIPermission.__qualname__ = f"StaffAPIPermission[{permission.value}]"
    return StaffAPIPermission
