import json
from datetime import UTC

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.transparency import log_verifiers
from cookies.selectors import current_revision
from core.errors import RuleViolation
from core.replicas import replica_reads
from integrations.opt_out import do_not_sell_assessment

from . import selectors, services
from .api_views import deciding_subject
from .context import request_signals
from .cookie import write_consent_cookie
from .kantara import kantara_receipt, signed_kantara_receipt
from .models import ConsentRecord

FORM_METHODS = {
    ConsentRecord.Method.ACCEPT_ALL,
    ConsentRecord.Method.REJECT_ALL,
    ConsentRecord.Method.CUSTOM,
    ConsentRecord.Method.PRIVACY_CENTRE,
}


def _back(request, fallback="home"):
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@require_POST
def record_choices(request):
    """The banner's, the settings page's and the privacy centre's form, for
    browsers without JavaScript (with it, consent.js posts to the API instead).
    A category's own "Withdraw consent" button (``withdraw``) saves the form's
    choices with that category off: withdrawing is one click once the choices are open."""
    revision = current_revision()
    optional = {c["key"]: c["name"] for c in revision.content["categories"] if not c["necessary"]}
    withdraw = request.POST.get("withdraw", "")
    if withdraw and withdraw not in optional:
        messages.error(request, _("Choose a cookie category to withdraw your consent from."))
        return _back(request)
    method = request.POST.get("method", "") or (ConsentRecord.Method.CUSTOM if withdraw else "")
    if method not in FORM_METHODS:
        messages.error(request, _("Choose accept all, reject all or your own choices."))
        return _back(request)
    choices = {key: request.POST.get(key) == "on" and key != withdraw for key in optional}
    subject_key, subject_type, visitor, new_subject = deciding_subject(request, None)
    try:
        record = services.consent_record(
            subject_key=subject_key,
            subject_type=subject_type,
            method=method,
            revision_hash=request.POST.get("revision", ""),
            choices=choices,
            signals=request_signals(request),
            page_url=request.build_absolute_uri(request.POST.get("next") or "/")[:500],
            language=getattr(request, "LANGUAGE_CODE", ""),
            new_subject=new_subject,
        )
    except RuleViolation as error:
        messages.error(request, error.message)
        return _back(request)
    if withdraw:
        messages.success(
            request,
            _("You withdrew your consent to %(category)s. Your cookie choices were saved.")
            % {"category": optional[withdraw]},
        )
    else:
        messages.success(request, _("Your cookie choices were saved."))
    response = _back(request)
    write_consent_cookie(
        response,
        visitor_key=visitor,
        revision_hash=record.revision_hash,
        choices=record.choices,
        gpc=record.gpc,
    )
    return response


@require_GET
def gpc_support(request):
    """``/.well-known/gpc.json`` (the Global Privacy Control draft, "site-wide
    support resource"): we honour the signal; ``lastUpdate`` is the day the
    privacy policy in force took effect (UTC)."""
    body = {"gpc": True}
    effective = selectors.privacy_policy_effective_at()
    if effective is not None:
        body["lastUpdate"] = effective.astimezone(UTC).date().isoformat()
    response = JsonResponse(body)
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"  # read by browsers and crawlers from anywhere
    return response


@require_http_methods(["GET", "POST"])
def do_not_sell(request):
    """ "Do Not Sell or Share My Personal Information": the opt-out, for anyone,
    with no account and nothing to fill in. It refuses what an opt-out preference
    signal refuses, on this device, or for the account when signed in; recorded
    like every consent decision (method ``opt_out_link``)."""
    assessment = do_not_sell_assessment()
    if request.method == "POST":
        subject_key, subject_type, visitor, new_subject = deciding_subject(request, None)
        try:
            record = services.consent_record(
                subject_key=subject_key,
                subject_type=subject_type,
                method=ConsentRecord.Method.OPT_OUT,
                revision_hash=request.POST.get("revision", ""),
                signals=request_signals(request),
                page_url=request.build_absolute_uri()[:500],
                language=getattr(request, "LANGUAGE_CODE", ""),
                new_subject=new_subject,
            )
        except RuleViolation as error:
            messages.error(request, error.message)
            return redirect("do_not_sell")
        messages.success(request, _("Done: we will not sell or share your personal information."))
        response = redirect("do_not_sell")
        write_consent_cookie(
            response,
            visitor_key=visitor,
            revision_hash=record.revision_hash,
            choices=record.choices,
            gpc=record.gpc,
        )
        return response
    state = selectors.consent_state_for_request(request)
    choices = state["choices"] or {}
    opted_out = bool(assessment.categories) and all(
        choices.get(key) is False for key in assessment.categories
    )
    return render(
        request,
        "cookies/do_not_sell.html",
        {
            "assessment": assessment,
            "opted_out": opted_out,
            "recipients": sorted({r.name for r in assessment.recipients}),
        },
    )


@require_GET
def cookie_policy(request):
    """The cookie policy used to be two pages; it is one now, with the policies."""
    return redirect("policy", "cookies", permanent=True)


@require_http_methods(["GET"])
def cookie_settings(request):
    return render(request, "cookies/settings.html", {})


@require_GET
@login_required
@replica_reads
def privacy_cookies(request):
    history = Paginator(selectors.consent_history_for_user(user=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "privacy/cookies.html", {"section": "cookies", "page": history})


@require_GET
@login_required
@replica_reads
def receipt(request, record_id):
    record = selectors.access_receipt(user=request.user, record_id=record_id)
    data = selectors.receipt_of(record)
    if request.GET.get("format") == "json":
        response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="consent-receipt-{record.record_id}.json"'
        return response
    return render(
        request,
        "privacy/receipt.html",
        {
            "section": "cookies",
            "record": record,
            "receipt": data,
            "log_keys": [str(key) for key in log_verifiers()],
            "keys_url": reverse("transparency_keys"),
            "verifier_url": reverse("transparency_verifier"),
            "jwks_url": reverse("jwks"),
        },
    )


@require_GET
@login_required
@replica_reads
def receipt_kantara(request, record_id, format):
    """The receipt as a Kantara Consent Receipt v1.1: JSON, or signed as a compact JWS."""
    if format not in ("json", "jws"):
        raise Http404
    record = selectors.access_receipt(user=request.user, record_id=record_id)
    if format == "jws":
        response = HttpResponse(signed_kantara_receipt(record), content_type="application/jose")
    else:
        response = HttpResponse(
            json.dumps(kantara_receipt(record), indent=2), content_type="application/json"
        )
    response["Content-Disposition"] = (
        f'attachment; filename="consent-receipt-{record.record_id}.kantara.{format}"'
    )
    return response
