"""Organisation console: the integrations installed in the organisation, what
each received, adding one for a team and removing it.

Every view goes through ``console_view`` (organizations.console), the HTML
side of the tenant choke point; installations and teams are looked up inside
the organisation it resolved, so another organisation's are a 404.

Scopes: the pages name members (who added an integration, for whom), so they
need ``members:read`` (guests, who do not see the member directory, get a
403). Adding and removing for a team follow the team-manager rule (admins and
owners any team, a team admin their own), which the service enforces; the
forms offer only the teams the person may manage."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import Conflict, Forbidden, RuleViolation
from core.params import positive_id
from organizations import selectors as org_selectors
from organizations.console import console_render, console_view
from organizations.roles import Scope

from . import selectors, services
from .forms import ConsentForm, ObjectionForm, TeamChoiceForm
from .models import SubprocessorSubscription


def _not_team_manager():
    return Forbidden(
        _("Only a team's admins and the organisation's admins add or remove integrations for it."),
        code="not_team_admin",
    )


@require_GET
@console_view(Scope.MEMBERS_READ)
def integrations(request, membership):
    organization = membership.organization
    page = Paginator(selectors.organization_installations(organization=organization), 50).get_page(
        request.GET.get("page")
    )
    installations = list(page.object_list)
    summaries = selectors.installation_summaries(installations=installations)
    can_add = selectors.teams_manageable_by(membership=membership).exists()
    return console_render(
        request,
        membership,
        "console/integrations.html",
        {
            "section": "integrations",
            "page": page,
            "rows": [(i, summaries.get(i.public_id)) for i in installations],
            "can_add": can_add,
            "catalogue": selectors.integrations_available() if can_add else (),
        },
    )


@require_http_methods(["GET", "POST"])
@console_view(Scope.MEMBERS_READ)
def integration_add(request, membership):
    """Step one chooses the integration and the team (skipped when the link
    names the integration and the person manages one team); step two is the
    consent screen, which posts here."""
    teams = selectors.teams_manageable_by(membership=membership)
    if request.method == "POST":
        provider = selectors.access_integration(slug=request.POST.get("provider", ""))
        team_id = positive_id(request.POST.get("team"))
        if team_id is None:
            raise Http404
        team = org_selectors.access_team_by_id(actor=membership, team_id=team_id)
        return _consent(request, membership, provider, team, teams, request.POST)
    team_list = list(teams)
    if not team_list:
        raise _not_team_manager()
    data = request.GET.copy()
    if "provider" in data and "team" not in data and len(team_list) == 1:
        data["team"] = str(team_list[0].pk)
    chooser = TeamChoiceForm(
        data if "provider" in data else None, integrations=selectors.integrations_available(), teams=teams
    )
    if chooser.is_bound and chooser.is_valid():
        return _consent(
            request, membership, chooser.cleaned_data["provider"], chooser.cleaned_data["team"], teams, None
        )
    return console_render(
        request,
        membership,
        "console/integration_choose.html",
        {"section": "integrations", "chooser": chooser},
        status=400 if chooser.errors else 200,
    )


def _consent(request, membership, provider, team, teams, data):
    if not teams.filter(pk=team.pk).exists():
        raise _not_team_manager()
    form = ConsentForm(data, offered=provider.fields)
    if data is not None and form.is_valid():
        try:
            installation = services.installation_create(
                user=request.user,
                provider=provider,
                fields=form.cleaned_data["share"],
                membership=membership,
                team=team,
                request=request,
            )
        except Forbidden:
            raise
        except RuleViolation as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is added for %(team)s. It received what you chose about the team's members.")
                % {"name": provider.name, "team": team.name},
            )
            return redirect("org_integration", membership.organization.slug, installation.public_id)
    return console_render(
        request,
        membership,
        "console/integration_add.html",
        {
            "section": "integrations",
            "provider": provider,
            "team": team,
            "people": team.team_memberships.count(),
            "form": form,
            "change_query": urlencode({"provider": provider.slug}),
        },
        status=400 if form.errors else 200,
    )


@require_GET
@console_view(Scope.MEMBERS_READ)
def integration_detail(request, membership, public_id):
    organization = membership.organization
    installation = selectors.access_organization_installation(organization=organization, public_id=public_id)
    detail = selectors.may_see_member_detail(membership=membership)
    before = positive_id(request.GET.get("before"))
    shares = selectors.organization_shares(
        organization=organization, installation=installation, before=before, with_members=detail
    )
    return console_render(
        request,
        membership,
        "console/integration.html",
        {
            "section": "integrations",
            "installation": installation,
            "summary": selectors.installation_summaries(installations=[installation]).get(
                installation.public_id
            ),
            "member_detail": detail,
            "shares": shares.shares,
            "older_query": urlencode({"before": shares.next_cursor}) if shares.next_cursor else "",
            "paged": before is not None,
            "can_remove": selectors.may_manage_installation(
                membership=membership, user=request.user, installation=installation
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@console_view(Scope.MEMBERS_READ)
def integration_remove(request, membership, public_id):
    organization = membership.organization
    installation = selectors.access_organization_installation(organization=organization, public_id=public_id)
    if request.method == "POST":
        services.installation_remove(
            user=request.user, installation=installation, membership=membership, request=request
        )
        messages.success(request, selectors.removal_told(installation=installation))
        return redirect("org_integrations", organization.slug)
    if installation.status == installation.Status.REMOVED:
        messages.info(request, _("This integration was removed already."))
        return redirect("org_integration", organization.slug, installation.public_id)
    if not selectors.may_manage_installation(
        membership=membership, user=request.user, installation=installation
    ):
        if installation.team_id is None:
            raise Forbidden(_("Only the person who added it can remove it."), code="not_yours")
        raise _not_team_manager()
    return console_render(
        request,
        membership,
        "console/integration_remove.html",
        {"section": "integrations", "installation": installation},
    )


# --- Sub-processor notices ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@console_view(Scope.SUBPROCESSORS_MANAGE)
def subprocessors(request, membership):
    """The organisation's notices of sub-processor changes (on or off), the
    changes in their notice period with an objection form each, and the
    objections it raised."""
    organization = membership.organization
    if request.method == "POST":
        services.subprocessor_subscribe_organization(
            actor=membership, subscribe=request.POST.get("subscribe") == "on", request=request
        )
        messages.success(request, _("Saved."))
        return redirect("org_subprocessors", organization.slug)
    return _subprocessors_page(request, membership)


def _subprocessors_page(request, membership, *, objecting=None, form=None, status=200):
    organization = membership.organization
    return console_render(
        request,
        membership,
        "console/subprocessors.html",
        {
            "section": "subprocessors",
            "subscribed": SubprocessorSubscription.objects.filter(organization=organization).exists(),
            "announced": selectors.subprocessor_changes_announced(),
            "objections": selectors.subprocessor_objections_of(organization_id=organization.pk),
            "objecting": objecting,
            "form": form,
        },
        status,
    )


@require_http_methods(["POST"])
@console_view(Scope.SUBPROCESSORS_MANAGE)
def subprocessor_object(request, membership, change_id):
    change = selectors.access_open_subprocessor_change(public_id=change_id)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.subprocessor_objection_raise(
                actor=membership, change=change, text=form.cleaned_data["text"], request=request
            )
            messages.success(request, _("Your objection is recorded; iCentrex's privacy team will answer."))
            return redirect("org_subprocessors", membership.organization.slug)
        except (RuleViolation, Conflict) as refused:
            form.add_error(None, refused.message)
            status = 409 if isinstance(refused, Conflict) else 400
            return _subprocessors_page(request, membership, objecting=change, form=form, status=status)
    return _subprocessors_page(request, membership, objecting=change, form=form, status=400)
