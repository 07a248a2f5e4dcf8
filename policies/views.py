from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors, services


@require_GET
def policy(request, slug, number=None):
    document = selectors.access_document(slug=slug)
    versions = list(selectors.published_versions(document=document))
    in_force = selectors.version_in_force(document=document)
    shown = selectors.access_published_version(document=document, number=number) if number else in_force
    if shown is None:
        raise Http404
    return render(
        request,
        "policies/policy.html",
        {
            "document": document,
            "version": shown,
            "in_force": in_force,
            "versions": versions,
            "body": selectors.render_policy(shown.body),
            "controller": {
                "name": settings.POLICY_CONTROLLER_NAME,
                "address": settings.POLICY_CONTROLLER_ADDRESS,
                "email": settings.POLICY_CONTACT_EMAIL,
            },
            "documents": selectors.documents(),
        },
    )


@require_GET
def policy_diff(request, slug):
    document = selectors.access_document(slug=slug)
    try:
        old_number, new_number = int(request.GET.get("from", "")), int(request.GET.get("to", ""))
    except ValueError:
        raise Http404 from None
    old = selectors.access_published_version(document=document, number=old_number)
    new = selectors.access_published_version(document=document, number=new_number)
    return render(
        request,
        "policies/diff.html",
        {
            "document": document,
            "old": old,
            "new": new,
            "rows": selectors.version_diff(old=old, new=new),
            "versions": selectors.published_versions(document=document),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def policy_accept(request):
    """The interstitial for material changes: read what changed, then accept."""
    pending = selectors.versions_awaiting_acceptance(user=request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if not pending:
        return redirect(next_url)
    if request.method == "POST":
        for version in pending:
            services.policy_accept(user=request.user, version=version, how="interstitial", request=request)
        return redirect(next_url)
    return render(
        request,
        "policies/accept.html",
        {
            "pending": [(v, selectors.render_policy(v.body)) for v in pending],
            "next": next_url,
        },
    )
