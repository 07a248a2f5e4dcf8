"""The organisation console's export pages: an owner or admin builds an export of
the organisation's member data (as the organisation's data policy allows) and
downloads it once through the emailed link."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from organizations import selectors as org_selectors
from organizations.console import console_render, console_view
from organizations.roles import Scope

from .selectors import access_organization_export_link, exports_of_organization
from .services import organization_export_download, organization_export_request
from .views import download_page


@require_http_methods(["GET", "POST"])
@console_view(Scope.MEMBER_DATA_EXPORT)
def exports(request, membership):
    policy = org_selectors.data_policy_for(organization=membership.organization)
    if request.method == "POST":
        fmt = request.POST.get("format")
        if fmt not in ("json", "csv"):
            messages.error(request, _("Choose JSON or CSV."))
        else:
            organization_export_request(actor=membership, format=fmt, request=request)
            messages.success(request, _("The export is being built. This page shows its progress."))
        return redirect("org_exports", membership.organization.slug)
    export_list = list(exports_of_organization(organization=membership.organization)[:20])
    context = {
        "section": "exports",
        "exports": export_list,
        "active": any(e.status in ("pending", "running") for e in export_list),
        "allowed": policy.allows("export_allowed_for", membership.role),
    }
    template = "console/_exports.html" if request.htmx else "console/exports.html"
    return console_render(request, membership, template, context)


@require_http_methods(["GET", "POST"])
@console_view(Scope.MEMBER_DATA_EXPORT)
def export_download(request, membership, export_public_id):
    """The emailed link (only the person who started the export): GET shows
    what it opens, POST downloads it, once."""
    export = access_organization_export_link(actor=membership, public_id=export_public_id)
    return download_page(
        request,
        export,
        consume=lambda token: organization_export_download(
            actor=membership, export=export, token=token, request=request
        ),
        content_type="text/csv" if export.format == "csv" else "application/json",
        render_page=lambda context, status: console_render(
            request, membership, "console/export_download.html", {"section": "exports", **context}, status
        ),
    )
