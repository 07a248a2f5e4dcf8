"""Staff console: privacy officers draft and publish policy versions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.staff_roles import StaffPermission, staff_permission_required

from . import selectors, services
from .forms import PolicyDraftForm
from .models import PolicyVersion


@require_http_methods(["GET", "POST"])
@staff_permission_required(StaffPermission.POLICIES_PUBLISH)
def policy_drafts(request, slug):
    document = selectors.access_document(slug=slug)
    in_force = selectors.version_in_force(document=document)
    form = PolicyDraftForm(request.POST or None, initial={"body": in_force.body if in_force else ""})
    if request.method == "POST" and form.is_valid():
        draft = services.policy_draft_create(
            actor=request.user, document=document, request=request, **form.cleaned_data
        )
        messages.success(request, _("Draft saved. Check the preview, then publish."))
        return redirect("staff_policy_draft", slug, draft.pk)
    drafts = document.versions.filter(status=PolicyVersion.Status.DRAFT).order_by("-created_at")
    return render(
        request,
        "staff/policy_drafts.html",
        {
            "document": document,
            "in_force": in_force,
            "form": form,
            "drafts": drafts,
            "documents": selectors.documents(),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET"])
@staff_permission_required(StaffPermission.POLICIES_PUBLISH)
def policy_draft(request, slug, version_id):
    document = selectors.access_document(slug=slug)
    draft = get_object_or_404(document.versions, pk=version_id, status=PolicyVersion.Status.DRAFT)
    # Compared with the newest published version, which is what publishing replaces
    # (it may not be in force yet).
    latest = selectors.published_versions(document=document).first()
    changes = selectors.version_changes(old_body=latest.body, new_body=draft.body) if latest else None
    return render(
        request,
        "staff/policy_draft.html",
        {
            "document": document,
            "draft": draft,
            "body": selectors.render_policy(draft.body),
            "latest": latest,
            "changes": changes,
        },
    )


@require_POST
@staff_permission_required(StaffPermission.POLICIES_PUBLISH)
def policy_draft_publish(request, slug, version_id):
    document = selectors.access_document(slug=slug)
    draft = get_object_or_404(document.versions, pk=version_id, status=PolicyVersion.Status.DRAFT)
    version = services.policy_publish(actor=request.user, version=draft, request=request)
    messages.success(
        request, _("Version %(n)s is published. Everyone is being notified.") % {"n": version.number}
    )
    return redirect("staff_policy_notices", version.pk)


@require_GET
@staff_permission_required(StaffPermission.POLICIES_PUBLISH)
def notice_runs(request):
    """Every published version's notices, newest first."""
    page = Paginator(selectors.notice_runs(), 20).get_page(request.GET.get("page"))
    return render(request, "staff/policy_notices.html", {"page": page})


@require_GET
@staff_permission_required(StaffPermission.POLICIES_PUBLISH)
def notice_progress(request, version_id):
    """Progress of one version's notices; htmx refreshes the figures while they run."""
    version = get_object_or_404(PolicyVersion.objects.select_related("document"), pk=version_id)
    progress = selectors.notice_progress(version=version)
    if progress is None:
        raise Http404
    template = "staff/_notice_progress.html" if request.htmx else "staff/policy_notice_progress.html"
    return render(request, template, {"version": version, "progress": progress})
