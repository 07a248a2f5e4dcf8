"""Privacy centre → Your data: a copy of one's data, and deleting the account."""

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import Conflict
from core.register import EXPORT_KINDS
from organizations.selectors import organizations_blocking_erasure, organizations_deleted_with

from . import selectors, services
from .links import LinkGone, file_download_response, link_check


def _data_context(user) -> dict:
    exports = list(selectors.personal_exports_of(user=user)[:10])
    return {
        "section": "data",
        "exports": exports,
        "building": any(e.status in e.ACTIVE for e in exports),
        "erasure": selectors.open_erasure_of(user=user),
        "subject_requests": list(selectors.subject_requests_of(user=user)[:20]),
        "today": timezone.localdate(),
        "kinds": EXPORT_KINDS,
        "link_days": settings.EXPORT_LINK_VALID_DAYS,
        "grace_days": settings.ERASURE_GRACE_DAYS,
    }


@require_GET
@login_required
def my_data(request):
    """With htmx, only the list of copies (it polls while one is being built)."""
    context = _data_context(request.user)
    template = "privacy/_exports.html" if request.htmx else "privacy/data.html"
    return render(request, template, context)


@require_POST
@login_required
def export_request(request):
    try:
        services.personal_export_request(actor=request.user, request=request)
        messages.success(
            request,
            _("We are preparing a copy of your data. We will email you a download link when it is ready."),
        )
    except Conflict as refused:
        messages.warning(request, refused.message)
    return redirect("privacy_data")


@require_http_methods(["GET", "POST"])
@login_required
def export_download(request, public_id):
    """The emailed link: GET shows what it opens (so a mail scanner's visit
    uses nothing up); POST downloads, once."""
    export = selectors.access_personal_export(user=request.user, public_id=public_id)
    return download_page(
        request,
        export,
        consume=lambda token: services.personal_export_download(
            actor=request.user, export=export, token=token, request=request
        ),
        content_type="application/zip",
        render_page=lambda context, status: render(
            request, "privacy/export_download.html", {"section": "data", **context}, status=status
        ),
    )


def download_page(request, export, *, consume, content_type: str, render_page):
    """An emailed download link (token in ``?t=``): GET shows the page (or why
    the link no longer works), POST streams the file and uses the link up."""
    token = request.GET.get("t", "")
    try:
        if request.method == "POST":
            return file_download_response(consume(token), content_type=content_type)
        link_check(export, token)
        problem = None
    except LinkGone as gone:
        problem = gone
    return render_page(
        {"export": export, "token": token, "problem": problem}, problem.status_code if problem else 200
    )


def _deletion_context(user) -> dict:
    return {
        "section": "data",
        "erasure": selectors.open_erasure_of(user=user),
        "blockers": list(organizations_blocking_erasure(user=user)),
        "deleted_with": list(organizations_deleted_with(user=user)),
        "register": selectors.register_in_plain_words(),
        "grace_days": settings.ERASURE_GRACE_DAYS,
    }


@require_GET
@login_required
def delete_account(request):
    return render(request, "privacy/delete_account.html", _deletion_context(request.user))


@require_POST
@login_required
@reauthentication_required
def delete_account_confirm(request):
    """Needs a recent sign-in (allauth asks for the password, or the two-factor
    code, and then carries on with this request)."""
    if request.POST.get("understood") != "yes":
        context = _deletion_context(request.user)
        context["not_understood"] = True
        return render(request, "privacy/delete_account.html", context, status=400)
    erasure = services.erasure_request(actor=request.user, request=request)
    messages.warning(
        request,
        _("Your account will be deleted on %(date)s. Until then you can cancel here.")
        % {"date": date_format(timezone.localtime(erasure.scheduled_for), "DATE_FORMAT")},
    )
    return redirect("privacy_data")


@require_POST
@login_required
def delete_account_cancel(request):
    services.erasure_cancel(actor=request.user, request=request)
    messages.success(request, _("The deletion is cancelled. Your account stays."))
    return redirect("privacy_data")
