from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import RuleViolation

from . import selectors, services
from .sessions import signed_in_organizations


@require_GET
@login_required
def my_organizations(request):
    memberships = list(selectors.memberships_for_user(user=request.user))
    teams = selectors.team_names_by_membership(memberships=memberships)
    policies = selectors.data_policies_for(organizations=[m.organization for m in memberships])
    reviews = selectors.reviews_of_my_data(user=request.user)
    return render(
        request,
        "privacy/organizations.html",
        {
            "section": "organizations",
            "rows": [(m, teams[m.pk]) for m in memberships],
            "policies": [
                (m.organization, selectors.data_policy_in_plain_words(policy=policies[m.organization_id]))
                for m in memberships
            ],
            "reviews": reviews,
            "invitations": selectors.pending_invitations_for_user(user=request.user),
            "signed_in_slugs": signed_in_organizations(request),
        },
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


@require_http_methods(["GET", "POST"])
@login_required
def invitation_detail(request, public_id):
    """The page an invitation email links to: accept or decline. Works without JavaScript."""
    invitation = selectors.access_invitation_for_user(user=request.user, public_id=public_id)
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                services.invitation_accept(user=request.user, invitation=invitation, request=request)
                messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.organization.name})
                return redirect("my_organizations")
            if answer == "decline":
                services.invitation_decline(user=request.user, invitation=invitation, request=request)
                messages.info(request, _("You declined the invitation."))
                return redirect("my_organizations")
            messages.error(request, _("Choose accept or decline."))
        except RuleViolation as error:
            messages.error(request, error.message)
        invitation.refresh_from_db()
    return render(
        request, "organizations/invitation.html", {"invitation": invitation, "section": "organizations"}
    )
