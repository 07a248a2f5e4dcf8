from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from icentrex.errors import RuleViolation

from . import selectors, services


@require_GET
@login_required
def my_organizations(request):
    memberships = list(selectors.memberships_for_user(user=request.user))
    teams = selectors.team_names_by_membership(memberships=memberships)
    return render(
        request,
        "privacy/organizations.html",
        {"section": "organizations", "rows": [(m, teams[m.pk]) for m in memberships]},
    )


@require_POST
@login_required
def leave_organization(request, org_slug: str):
    membership = selectors.access_membership(user=request.user, org_slug=org_slug)
    try:
        services.membership_remove(actor=membership, member=membership, request=request)
    except RuleViolation as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You left %(name)s.") % {"name": membership.organization.name})
    return redirect("my_organizations")
