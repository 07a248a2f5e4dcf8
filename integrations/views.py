"""Privacy centre: who received data about me, and the integrations I added."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import Forbidden, RuleViolation
from core.net import client_ip, truncate_ip
from core.ratelimit import rate_limit_consume
from core.replicas import replica_reads
from organizations.selectors import memberships_for_user

from . import selectors, services
from .catalog import FIELDS, category_of
from .forms import ConsentForm, SharingLogFilterForm, SubscribeForm


@require_GET
@login_required
@replica_reads
def data_sharing(request):
    summary = selectors.sharing_summary_for(user=request.user)
    form = SharingLogFilterForm(request.GET or None, providers=[row["provider"] for row in summary])
    provider, category = form.value("provider") or "", form.value("category") or ""
    before = form.value("before")
    log = selectors.sharing_log_for(user=request.user, provider=provider, category=category, before=before)
    filters = {key: value for key, value in (("provider", provider), ("category", category)) if value}
    return render(
        request,
        "privacy/data_sharing.html",
        {
            "section": "data_sharing",
            "summary": summary,
            "filter_form": form,
            "filtered": bool(filters),
            "events": log.events,
            "places": selectors.sharing_places(events=log.events),
            "older_query": urlencode({**filters, "before": log.next_cursor}) if log.next_cursor else "",
            "newest_query": urlencode(filters) if before else None,
            "service_providers": selectors.service_providers(),
        },
    )


@require_GET
@login_required
def integrations(request):
    installations = list(selectors.my_installations(user=request.user))
    return render(
        request,
        "privacy/integrations.html",
        {
            "section": "integrations",
            "catalogue": selectors.integrations_available(),
            "installations": installations,
            "summaries": selectors.installation_summaries(installations=installations),
            "installed": {
                i.provider_id for i in installations if i.status == i.Status.ACTIVE and not i.organization_id
            },
        },
    )


def _personal_offer(provider, memberships) -> tuple[list[str], list[tuple[str, str]]]:
    """The fields a person can share about themselves, and those they cannot
    here (with the reason): team fields go only with a team installation, and
    organisation fields need an organisation."""
    offered, withheld = [], []
    for field in provider.fields:
        if category_of(field) == "team":
            withheld.append((field, _("shared only when a team admin adds it for a team")))
        elif category_of(field) == "organisation" and not memberships:
            withheld.append((field, _("you are not in an organisation")))
        else:
            offered.append(field)
    return offered, [(str(FIELDS.get(f, f)), reason) for f, reason in withheld]


@require_http_methods(["GET", "POST"])
@login_required
def integration_add(request, slug):
    """The consent screen: exactly what the integration will receive about me."""
    provider = selectors.access_integration(slug=slug)
    memberships = list(memberships_for_user(user=request.user))
    offered, withheld = _personal_offer(provider, memberships)
    data = request.POST if request.method == "POST" else None
    form = ConsentForm(data, offered=offered, organizations=memberships)
    if request.method == "POST" and offered and form.is_valid():
        chosen = form.cleaned_data["share"]
        membership = None
        if any(category_of(f) == "organisation" for f in chosen):
            slug_chosen = form.cleaned_data.get("organization")
            membership = next((m for m in memberships if m.organization.slug == slug_chosen), None)
        try:
            services.installation_create(
                user=request.user, provider=provider, fields=chosen, membership=membership, request=request
            )
        except Forbidden:
            raise
        except RuleViolation as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is added. It received what you chose; you can remove it here at any time.")
                % {"name": provider.name},
            )
            return redirect("privacy_integrations")
    return render(
        request,
        "privacy/integration_add.html",
        {
            "section": "integrations",
            "provider": provider,
            "form": form,
            "offered": offered,
            "withheld": withheld,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def integration_remove(request, public_id):
    """Confirm, then remove: nothing more is shared and the provider is told."""
    installation = selectors.access_my_installation(user=request.user, public_id=public_id)
    if request.method == "POST":
        services.installation_remove(user=request.user, installation=installation, request=request)
        messages.success(request, selectors.removal_told(installation=installation))
        return redirect("privacy_integrations")
    return render(
        request,
        "privacy/integration_remove.html",
        {"section": "integrations", "installation": installation},
    )


# --- The public sub-processor list --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def subprocessors(request):
    """Who processes data for iCentrex, where, under which safeguard; the
    changes announced and when they take effect; subscribing by email."""
    form = SubscribeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        network = truncate_ip(client_ip(request)) or "unknown"
        if not rate_limit_consume(
            action="subprocessor_subscribe", key=network, rate=settings.SUPPORT_FORM_RATE_LIMIT
        ):
            return render(
                request, "support/rate_limited.html", {"contact_email": settings.CONTROLLER_EMAIL}, status=429
            )
        if form.is_valid():
            if not form.cleaned_data[
                "website"
            ]:  # the honeypot: a bot is thanked the same and nothing is sent
                services.subprocessor_subscribe_email(
                    email=form.cleaned_data["email"], language=request.LANGUAGE_CODE
                )
            messages.success(request, _("Check your inbox: the link we sent confirms the subscription."))
            return redirect("subprocessors")
        status = 400
    return render(
        request,
        "integrations/subprocessors.html",
        {
            "providers": selectors.subprocessors_in_use(),
            "announced": selectors.subprocessor_changes_announced(),
            "recent": selectors.subprocessor_changes_recent(),
            "form": form,
            "notice_days": settings.SUBPROCESSOR_NOTICE_DAYS,
        },
        status=status,
    )


def _token_page(request, *, act, template: str, done: str):
    """Confirm or unsubscribe from an emailed link: GET shows a button (mail
    scanners open links; only a person presses it), POST acts."""
    token = request.POST.get("t") or request.GET.get("t", "")
    if request.method == "POST":
        try:
            act(token=token)
        except RuleViolation as refused:
            return render(request, template, {"token": token, "error": refused.message}, status=400)
        messages.success(request, done)
        return redirect("subprocessors")
    return render(request, template, {"token": token})


@require_http_methods(["GET", "POST"])
def subprocessors_confirm(request):
    return _token_page(
        request,
        act=services.subprocessor_subscription_confirm,
        template="integrations/subprocessors_confirm.html",
        done=_("You will be emailed about every new or changed sub-processor before it takes effect."),
    )


@require_http_methods(["GET", "POST"])
def subprocessors_unsubscribe(request):
    return _token_page(
        request,
        act=services.subprocessor_unsubscribe,
        template="integrations/subprocessors_unsubscribe.html",
        done=_("You will not be emailed about sub-processor changes any more."),
    )
