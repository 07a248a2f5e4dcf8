"""Support pages outside the staff console: the public forms (report a minor, ask
a privacy question; no account needed), and in the privacy centre a signed-in
person's own cases and the privacy questions they asked, with our answers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.net import client_ip, truncate_ip
from core.ratelimit import rate_limit_consume

from . import selectors, services
from .forms import HONEYPOT_FIELD, CaseMessageForm, CaseOpenForm, MinorReportForm, PrivacyQuestionForm


def _public_form(request, *, form_class, action: str, template: str, thanks: str, create, initial=None):
    """Rate limit, honeypot, validation, then one service call; GET shows the form.

    A bot that fills the honeypot gets the same thanks page as a person, so it
    learns nothing, but nothing is stored or sent. Every POST counts against the
    limit (per network, not per address), including the bot's and invalid ones."""
    if request.method == "POST":
        network = truncate_ip(client_ip(request)) or "unknown"
        if not rate_limit_consume(action=action, key=network, rate=settings.SUPPORT_FORM_RATE_LIMIT):
            return render(
                request,
                "support/rate_limited.html",
                {"contact_email": settings.CONTROLLER_EMAIL},
                status=429,
            )
        form = form_class(request.POST)
        if form.filled_by_a_bot:
            return redirect(thanks)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != HONEYPOT_FIELD}
            create(actor=request.user, language=get_language() or "", request=request, **data)
            return redirect(thanks)
    else:
        form = form_class(initial=initial)
    return render(
        request,
        template,
        {"form": form, "contact_email": settings.CONTROLLER_EMAIL},
        status=400 if form.errors else 200,
    )


def _signed_in_initial(request, **fields) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {key: getattr(user, attribute) for key, attribute in fields.items()}


@require_http_methods(["GET", "POST"])
def minor_report(request):
    return _public_form(
        request,
        form_class=MinorReportForm,
        action="minor_report",
        template="support/minor_report.html",
        thanks="minor_report_thanks",
        create=services.minor_report_create,
        initial=_signed_in_initial(request, reporter_email="email"),
    )


@require_GET
def minor_report_thanks(request):
    return render(request, "support/minor_report_thanks.html")


@require_http_methods(["GET", "POST"])
def privacy_question(request):
    return _public_form(
        request,
        form_class=PrivacyQuestionForm,
        action="privacy_question",
        template="support/privacy_question.html",
        thanks="privacy_question_thanks",
        create=services.privacy_question_create,
        initial=_signed_in_initial(request, name="name", email="email"),
    )


@require_GET
def privacy_question_thanks(request):
    return render(request, "support/privacy_question_thanks.html")


# --- In the privacy centre ------------------------------------------------------------


@require_GET
@login_required
def cases(request):
    return render(
        request,
        "privacy/cases.html",
        {"section": "cases", "cases": selectors.cases_for_reporter(user=request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def case_new(request):
    organizations = selectors.case_organizations_for(user=request.user)
    form = CaseOpenForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        case = services.case_open(actor=request.user, request=request, **form.cleaned_data)
        messages.success(request, _("Your case is open. We answer here and by email."))
        return redirect("privacy_case", case.public_id)
    return render(
        request,
        "privacy/case_new.html",
        {"section": "cases", "form": form, "has_organizations": organizations.exists()},
        status=400 if form.errors else 200,
    )


def _reply_form(data=None):
    return CaseMessageForm(data, label=_("Add to your case"))


@require_http_methods(["GET", "POST"])
@login_required
def case(request, public_id):
    """The case and its conversation (no internal notes); a POST adds a reply."""
    case = selectors.access_case_for_reporter(user=request.user, public_id=public_id)
    form = _reply_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.case_reply_by_reporter(
            actor=request.user, case=case, body=form.cleaned_data["body"], request=request
        )
        messages.success(request, _("Your message is added to the case."))
        return redirect("privacy_case", case.public_id)
    return render(
        request,
        "privacy/case.html",
        {
            "section": "cases",
            "case": case,
            "thread": selectors.case_messages_for_reporter(case=case),
            "reply_form": form,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def questions(request):
    page = Paginator(selectors.privacy_questions_of_person(user=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "privacy/questions.html", {"section": "questions", "page": page})
