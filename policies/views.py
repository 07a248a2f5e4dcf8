from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cookies.declaration import localized
from cookies.selectors import current_revision

from . import selectors, services
from .models import PolicyAcceptance

COOKIE_POLICY = "cookies"


@require_GET
def policy(request, slug, number=None):
    document = selectors.access_document(slug=slug)
    versions = list(selectors.published_versions(document=document))
    in_force = selectors.version_in_force(document=document)
    shown = selectors.access_published_version(document=document, number=number) if number else in_force
    if shown is None:
        raise Http404
    # The cookie policy is one page: its text and, under the version in force, the
    # declaration of every cookie (/cookies/ redirects here).
    declaration = current_revision() if slug == COOKIE_POLICY and shown == in_force else None
    return render(
        request,
        "policies/policy.html",
        {
            "document": document,
            "version": shown,
            "in_force": in_force,
            "versions": versions,
            "body": selectors.render_policy(shown.body),
            "declaration": declaration,
            # In the person's language (the revision holds every language the site speaks).
            "declaration_content": localized(declaration.content, request.LANGUAGE_CODE)
            if declaration
            else None,
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
            "changes": selectors.version_changes(old_body=old.body, new_body=new.body),
        },
    )


def _next_url(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    return next_url if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) else "/"


@require_http_methods(["GET", "POST"])
@login_required
def policy_accept(request):
    """The interstitial for material changes: read what changed, then accept."""
    pending = selectors.versions_awaiting_acceptance(user=request.user)
    next_url = _next_url(request)
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


@require_POST
@login_required
def policy_updates_acknowledge(request):
    """The update banner's "Got it": records that the person was notified of
    the non-material versions it showed (only those still open for them)."""
    shown = set(request.POST.getlist("version"))
    for version in request.policy_updates.to_acknowledge:
        if str(version.pk) in shown:
            services.policy_accept(
                user=request.user,
                version=version,
                kind=PolicyAcceptance.Kind.NOTIFIED,
                how=PolicyAcceptance.How.BANNER,
                request=request,
            )
    if request.htmx:
        return HttpResponse("")
    return redirect(_next_url(request))


@require_GET
@login_required
def my_policy_updates(request):
    """Privacy centre: where the person stands with each policy in force, and
    every version they were told about or accepted, when and how."""
    updates = selectors.policy_updates_of(user=request.user)
    return render(
        request,
        "privacy/policies.html",
        {
            "section": "policies",
            "current": selectors.current_versions_status(user=request.user, updates=updates),
            "updates": updates,
        },
    )
