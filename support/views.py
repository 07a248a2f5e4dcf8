"""The public forms: report a minor, ask a privacy question. No account needed."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from core.net import client_ip, truncate_ip
from core.ratelimit import rate_limit_consume

from . import services
from .forms import HONEYPOT_FIELD, MinorReportForm, PrivacyQuestionForm


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
