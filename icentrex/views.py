from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.i18n import set_language

from accounts.selectors import api_tokens_for_user
from accounts.services import user_update_profile
from accounts.staff_roles import StaffPermission, staff_permission_flags, staff_permission_required
from audit.selectors import audit_events_for_subject, audit_events_readable
from core.api.exceptions import error_body
from data_requests.selectors import open_erasure_of, subject_request_counts
from domains.selectors import unacknowledged_disclosures
from subjects.services import subject_key_for_user
from support.selectors import open_counts as support_open_counts


@require_GET
def home(request):
    # The work-address notice comes first on the page for a signed-in person.
    disclosed_to = unacknowledged_disclosures(user=request.user) if request.user.is_authenticated else []
    return render(request, "home.html", {"disclosed_to": disclosed_to})


@require_GET
@login_required
def privacy_centre(request):
    """The privacy centre's front page: what needs the person's attention (an
    organisation told of their work address, a pending deletion) and a summary
    drawn from several apps, which is why it lives on the roof."""
    user = request.user
    return render(
        request,
        "privacy/overview.html",
        {
            "section": "overview",
            "mfa_enabled": Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
            "active_tokens": api_tokens_for_user(user=user).active().count(),
            "primary_email": EmailAddress.objects.filter(user=user, primary=True).first(),
            "disclosed_to": unacknowledged_disclosures(user=user),
            "erasure": open_erasure_of(user=user),
            "recent_events": list(
                audit_events_readable(
                    audit_events_for_subject(subject_key=subject_key_for_user(user=user))[:5]
                )
            ),
        },
    )


@require_GET
@staff_permission_required(StaffPermission.STAFF_CONSOLE_OPEN)
def staff_home(request):
    """The staff console's front page: the sections this person may open, with
    the open work of the queues they handle. It draws on several apps, so it
    lives on the roof."""
    permissions = request.staff_permissions
    queues = {
        StaffPermission.MINOR_REPORTS_HANDLE,
        StaffPermission.PRIVACY_QUESTIONS_HANDLE,
        StaffPermission.SUPPORT_CASES_HANDLE,
    }
    counts = support_open_counts() if permissions & queues else {}
    if StaffPermission.SUBJECT_REQUESTS_MANAGE in permissions:
        counts["subject_requests"] = subject_request_counts()
    return render(
        request, "staff/home.html", {"staff_can": staff_permission_flags(permissions), "counts": counts}
    )


def language_switch(request):
    """Django's set_language (cookie + redirect), and for a signed-in person the
    saved language too, which otherwise would win on the next page."""
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated:
        if language in dict(settings.LANGUAGES):
            user_update_profile(
                actor=request.user,
                user=request.user,
                name=request.user.name,
                language=language,
                request=request,
            )
    return set_language(request)


def csrf_failure(request, reason=""):
    """A browser that refuses cookies cannot sign in (the session and the CSRF
    check both need one): say so plainly instead of a bare 403."""
    cookies_missing = reason == REASON_NO_CSRF_COOKIE or not request.COOKIES
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body("csrf_failed", _("CSRF check failed: %(reason)s") % {"reason": reason}), status=403
        )
    return render(request, "errors/csrf.html", {"cookies_missing": cookies_missing}, status=403)


def _error(request, status, code, message, template):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code, message), status=status)
    return render(request, template, status=status)


def bad_request(request, exception=None):
    # Django reports a body over DATA_UPLOAD_MAX_MEMORY_SIZE (or with too many
    # fields) as a 400; it is a 413, as the API's own parser already answers.
    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        return _error(
            request, 413, "payload_too_large", _("The request body is too large."), "errors/413.html"
        )
    return _error(request, 400, "bad_request", _("The request could not be understood."), "errors/400.html")


def permission_denied(request, exception=None):
    return _error(
        request, 403, "permission_denied", _("You do not have permission to do this."), "errors/403.html"
    )


def page_not_found(request, exception=None):
    return _error(request, 404, "not_found", _("Not found."), "errors/404.html")


def server_error(request):
    return _error(
        request,
        500,
        "server_error",
        _("Something went wrong on our side. It has been logged."),
        "errors/500.html",
    )
