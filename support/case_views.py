"""Support in the privacy centre: a signed-in person's own cases, and the privacy
questions they asked (through the public form) with our answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors, services
from .forms import CaseMessageForm, CaseOpenForm


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
