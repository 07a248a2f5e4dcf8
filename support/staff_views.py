"""Staff console: the minor-report queue and the privacy-question inbox, for
support agents and privacy officers."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import account_by_email, is_support_staff, staff_sections_for

from . import selectors, services
from .forms import MinorReportFilterForm, PrivacyQuestionFilterForm, ReplyForm, SuspendAccountForm

PAGE_SIZE = 25


def support_staff_required(view):
    """Like the other staff pages: signed out → the sign-in page; signed in
    without a support or privacy-officer role → 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_support_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _filtered_page(request, *, filter_form_class, list_selector):
    form = filter_form_class(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(list_selector(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    return form, page, urlencode({"status": status}) if status else ""


@require_GET
@login_required
def staff_home(request):
    """The staff console's front page: the sections this person may open."""
    sections = staff_sections_for(request.user)
    if not any(sections.values()):
        raise PermissionDenied
    counts = selectors.open_counts() if sections["support"] else {}
    return render(request, "staff/home.html", {"sections": sections, "counts": counts})


# --- Minor reports -------------------------------------------------------------------


@require_GET
@support_staff_required
def minor_reports(request):
    form, page, query = _filtered_page(
        request, filter_form_class=MinorReportFilterForm, list_selector=selectors.minor_reports
    )
    return render(request, "staff/minor_reports.html", {"form": form, "page": page, "query": query})


def _minor_report_page(request, report, *, suspend_form=None, status=200):
    candidate = selectors.minor_report_candidate(report=report)
    return render(
        request,
        "staff/minor_report.html",
        {
            "report": report,
            "candidate": candidate,
            "memberships": selectors.account_memberships(user=candidate) if candidate else [],
            "blockers": selectors.account_deletion_blockers(user=candidate) if candidate else [],
            "suspend_form": suspend_form
            or SuspendAccountForm(initial={"email": candidate.email if candidate else report.reported_email}),
        },
        status=status,
    )


@require_GET
@support_staff_required
def minor_report(request, report_id):
    return _minor_report_page(request, selectors.access_minor_report(report_id=report_id))


@require_POST
@support_staff_required
def minor_report_suspend(request, report_id):
    report = selectors.access_minor_report(report_id=report_id)
    form = SuspendAccountForm(request.POST)
    account = account_by_email(email=form.cleaned_data["email"]) if form.is_valid() else None
    if form.is_valid() and account is None:
        form.add_error("email", _("No account signs in with this address."))
    if not form.is_valid():
        return _minor_report_page(request, report, suspend_form=form, status=400)
    services.minor_report_suspend_account(actor=request.user, report=report, account=account, request=request)
    messages.success(request, _("The account is suspended: it is signed out everywhere and cannot sign in."))
    return redirect("staff_minor_report", report.pk)


@require_POST
@support_staff_required
def minor_report_delete(request, report_id):
    report = selectors.access_minor_report(report_id=report_id)
    services.minor_report_delete_account(actor=request.user, report=report, request=request)
    messages.success(request, _("The account and its profile data are deleted."))
    return redirect("staff_minor_report", report.pk)


@require_POST
@support_staff_required
def minor_report_dismiss(request, report_id):
    report = selectors.access_minor_report(report_id=report_id)
    services.minor_report_dismiss(actor=request.user, report=report, request=request)
    messages.success(request, _("The report is dismissed."))
    return redirect("staff_minor_report", report.pk)


# --- Privacy questions -----------------------------------------------------------------


@require_GET
@support_staff_required
def privacy_questions(request):
    form, page, query = _filtered_page(
        request, filter_form_class=PrivacyQuestionFilterForm, list_selector=selectors.privacy_questions
    )
    return render(request, "staff/privacy_questions.html", {"form": form, "page": page, "query": query})


def _question_page(request, question, *, reply_form=None, status=200):
    return render(
        request,
        "staff/privacy_question.html",
        {
            "question": question,
            "replies": selectors.question_replies(question=question),
            "reply_form": reply_form or ReplyForm(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@support_staff_required
def privacy_question(request, question_id):
    """The thread, and the reply form (a POST here sends a reply)."""
    question = selectors.access_privacy_question(question_id=question_id)
    if request.method == "GET":
        return _question_page(request, question)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _question_page(request, question, reply_form=form, status=400)
    services.privacy_question_reply(
        actor=request.user, question=question, body=form.cleaned_data["body"], request=request
    )
    messages.success(request, _("Your reply is saved and on its way by email."))
    return redirect("staff_privacy_question", question.pk)


@require_POST
@support_staff_required
def privacy_question_close(request, question_id):
    question = selectors.access_privacy_question(question_id=question_id)
    services.privacy_question_close(actor=request.user, question=question, request=request)
    messages.success(request, _("The question is closed."))
    return redirect("staff_privacy_question", question.pk)


@require_POST
@support_staff_required
def privacy_question_reopen(request, question_id):
    question = selectors.access_privacy_question(question_id=question_id)
    services.privacy_question_reopen(actor=request.user, question=question, request=request)
    messages.success(request, _("The question is open again."))
    return redirect("staff_privacy_question", question.pk)
