"""Support cases shared with an organisation, in its console: masked texts
only. No URL here takes a support case's id; a share of another organisation
is a 404 (``console_view`` and the selectors scope everything to the
organisation in the URL)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organizations.console import console_render, console_view
from organizations.roles import Scope

from . import selectors, services
from .forms import SharedCaseReplyForm


def _reply_form(data=None):
    return SharedCaseReplyForm(data)


@require_GET
@console_view(Scope.SUPPORT_CASES_READ)
def shared_cases(request, membership):
    shares = selectors.shared_cases_for_organization(organization=membership.organization)
    page = Paginator(shares, 25).get_page(request.GET.get("page"))
    return console_render(
        request, membership, "console/shared_cases.html", {"section": "support", "page": page}
    )


def _detail(request, membership, share, form, status=200):
    return console_render(
        request,
        membership,
        "console/shared_case.html",
        {
            "section": "support",
            "share": share,
            "replies": selectors.shared_case_replies(share=share),
            "reply_form": form,
        },
        status=status,
    )


@require_GET
@console_view(Scope.SUPPORT_CASES_READ)
def shared_case(request, membership, share_id):
    share = selectors.access_shared_case(organization=membership.organization, share_id=share_id)
    return _detail(request, membership, share, _reply_form())


@require_POST
@console_view(Scope.SUPPORT_CASES_READ)
def shared_case_reply(request, membership, share_id):
    share = selectors.access_shared_case(organization=membership.organization, share_id=share_id)
    form = _reply_form(request.POST)
    if not form.is_valid():
        return _detail(request, membership, share, form, status=400)
    services.shared_case_reply(
        actor_membership=membership, share=share, body=form.cleaned_data["body"], request=request
    )
    messages.success(request, _("Your reply is sent to iCentrex support."))
    return redirect("org_shared_case", membership.organization.slug, share.public_id)
