from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.selectors import audit_events_for_subject, audit_events_readable
from subjects.services import subject_key_for_user

from . import access_log as access_log_module
from . import selectors, services
from .forms import ApiTokenForm, ProfileForm


@require_http_methods(["GET", "POST"])
@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(
            actor=request.user,
            user=request.user,
            name=form.cleaned_data["name"],
            language=form.cleaned_data["language"],
            request=request,
        )
        messages.success(request, _("Your profile was saved."))
        return redirect("privacy_profile")
    return render(request, "privacy/profile.html", {"section": "profile", "form": form})


def _security_context(request, **extra):
    user = request.user
    return {
        "section": "security",
        "authenticators": Authenticator.objects.filter(user=user).order_by("type"),
        "tokens": selectors.api_tokens_for_user(user=user),
        "token_form": ApiTokenForm(),
        **extra,
    }


@require_GET
@login_required
def security(request):
    return render(request, "privacy/security.html", _security_context(request))


@require_POST
@login_required
def token_create(request):
    """Creates a token and shows it once. With htmx only the token panel is
    swapped; without JavaScript the whole page renders the same panel."""
    form = ApiTokenForm(request.POST)
    created = None
    if form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        _token, created = services.api_token_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
            request=request,
        )
    context = _security_context(request, created_token=created)
    if not form.is_valid():
        context["token_form"] = form
    template = "privacy/_tokens.html" if request.htmx else "privacy/security.html"
    return render(request, template, context, status=200 if form.is_valid() else 400)


@require_POST
@login_required
def token_revoke(request, token_id: int):
    token = selectors.access_api_token_by_id(actor=request.user, token_id=token_id)
    services.api_token_revoke(actor=request.user, token=token, request=request)
    if request.htmx:
        return render(request, "privacy/_tokens.html", _security_context(request))
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("privacy_security")


@require_GET
@login_required
def activity(request):
    events = audit_events_for_subject(subject_key=subject_key_for_user(user=request.user))
    page = Paginator(events, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/activity.html",
        {
            "section": "activity",
            "page": page,
            "events": list(audit_events_readable(page.object_list)),
        },
    )


@login_required
@require_GET
def access_log(request):
    """Who at iCentrex opened my support cases, questions, requests or a
    report about me, when and why (accounts/access_log.py)."""
    page = Paginator(
        access_log_module.staff_openings_for(subject_key=subject_key_for_user(user=request.user)), 20
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/access_log.html",
        {
            "section": "access_log",
            "page": page,
            "rows": access_log_module.readable(page.object_list),
            "names_shown": settings.ACCESS_LOG_SHOWS_STAFF_NAMES,
        },
    )
