"""The organisation console: server-rendered pages for owners, admins and members.

Every view goes through ``console_view``, the HTML side of the tenant choke
point: it resolves the organisation from the URL, checks membership (404 for
outsiders), that this browser session is signed in to the organisation, and the
scope the page needs. Actions call the same services as the API."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.csv_export import csv_download, csv_time
from core.errors import RuleViolation
from core.replicas import replica_reads

from . import selectors, services
from .forms import (
    AuditFilterForm,
    DataPolicyForm,
    InvitationForm,
    MemberFilterForm,
    ReviewForm,
    RoleForm,
    TeamForm,
    TeamMemberAddForm,
    TransferOwnershipForm,
)
from .roles import ROLE_SCOPES, OrgRole, Scope, TeamRole, team_role_note
from .sessions import organization_session_add, organization_session_remove, signed_in_organizations


def console_view(scope: Scope):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            membership = selectors.access_membership(user=request.user, org_slug=org_slug)
            if org_slug not in signed_in_organizations(request):
                return redirect(reverse("org_sign_in", args=[org_slug]) + f"?next={request.path}")
            selectors.require_scope(membership, scope)
            request.membership = membership
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator


def query_without_page(request) -> str:
    """The page's query string without its page number (for pagination links);
    console pages of other apps use it too."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _on_form(form, field: str, call, *, fields_by_code: dict | None = None):
    """Run a service for a submitted form. A rule it refuses (a duplicate
    name, someone already invited) is about what was typed, so it becomes an
    error on the form's field, shown with the form, instead of an error page.
    Missing permissions (Forbidden) still answer 403, unless ``fields_by_code``
    names the field a particular refusal is about."""
    fields_by_code = fields_by_code or {}
    try:
        return call()
    except RuleViolation as error:
        if error.status_code == 403 and error.code not in fields_by_code:  # Forbidden
            raise
        form.add_error(fields_by_code.get(error.code, field), error.message)
        return None


def console_render(request, membership, template, context, status=200):
    """Render a console page with what every console page needs: the membership,
    its organisation and ``can`` (the scopes of the member's role, which the
    navigation and buttons test). Console pages of other apps use it too."""
    scopes = ROLE_SCOPES[membership.role]
    return render(
        request,
        template,
        {
            "membership": membership,
            "organization": membership.organization,
            "can": {scope.name.lower(): True for scope in scopes},
            **context,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def org_sign_in(request, org_slug):
    membership = selectors.access_membership(user=request.user, org_slug=org_slug)
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("org_members", args=[org_slug])
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("org_members", args=[org_slug])
    if request.method == "POST":
        organization_session_add(request, membership.organization)
        return redirect(next_url)
    return render(
        request, "console/sign_in.html", {"organization": membership.organization, "next": next_url}
    )


@require_POST
@login_required
def org_sign_out(request, org_slug):
    organization = selectors.access_membership(user=request.user, org_slug=org_slug).organization
    organization_session_remove(request, org_slug)
    messages.info(
        request,
        _("You signed out of %(name)s. You are still signed in to your account.")
        % {"name": organization.name},
    )
    return redirect("my_organizations")


@console_view(Scope.MEMBERS_READ)
@replica_reads
def members(request, membership):
    form = MemberFilterForm(request.GET or None, organization=membership.organization)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.members_of_organization(
        organization=membership.organization,
        search=filters.get("search", ""),
        role=filters.get("role", ""),
        team_id=filters["team"].pk if filters.get("team") else None,
    )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    team_names = selectors.team_names_by_membership(memberships=list(page.object_list))
    # "Review data" is offered only where the data policy (and the role) would let it
    # through: a link that always ends on a refusal is a broken promise.
    policy = selectors.data_policy_for(organization=membership.organization)
    reviewable = {
        m.pk
        for m in page.object_list
        if selectors.may_review_member_data(actor=membership, policy=policy, member=m)
    }
    return console_render(
        request,
        membership,
        "console/members.html",
        {
            "section": "members",
            "filter_form": form,
            "page": page,
            "rows": [(m, team_names[m.pk], m.pk in reviewable) for m in page.object_list],
            "any_reviewable": bool(reviewable),
            "roles": OrgRole.choices,
            "transfer_form": TransferOwnershipForm() if membership.is_primary_owner else None,
            "query": query_without_page(request),
        },
    )


@require_POST
@console_view(Scope.MEMBERS_WRITE)
def member_role(request, membership, member_id):
    member = selectors.access_member_by_id(actor=membership, membership_id=member_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        member = services.membership_change_role(
            actor=membership, member=member, role=form.cleaned_data["role"], request=request
        )
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": member.user.get_full_name(), "role": member.role_in_sentence},
        )
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect(
        reverse("org_members", args=[membership.organization.slug]) + "?" + request.POST.get("query", "")
    )


@require_POST
@console_view(Scope.MEMBERS_WRITE)
def member_remove(request, membership, member_id):
    member = selectors.access_member_by_id(actor=membership, membership_id=member_id)
    services.membership_remove(actor=membership, member=member, request=request)
    messages.success(request, _("%(name)s was removed.") % {"name": member.user.get_full_name()})
    return redirect("org_members", membership.organization.slug)


@require_POST
@console_view(Scope.OWNERSHIP_TRANSFER)
def transfer_ownership(request, membership):
    form = TransferOwnershipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the email address of the member who becomes primary owner."))
        return redirect("org_members", membership.organization.slug)
    # Looked up inside this organisation only: anyone else is "not a member".
    to = selectors.member_by_email(organization=membership.organization, email=form.cleaned_data["email"])
    if to is None:
        messages.error(request, _("Nobody with that email address is a member."))
        return redirect("org_members", membership.organization.slug)
    to = services.organization_transfer_ownership(actor=membership, to=to, request=request)
    messages.success(request, _("%(name)s is now the primary owner.") % {"name": to.user.get_full_name()})
    return redirect("org_members", membership.organization.slug)


@require_http_methods(["GET", "POST"])
@console_view(Scope.MEMBER_DATA_REVIEW)
def member_review(request, membership, member_id):
    member = selectors.access_member_by_id(actor=membership, membership_id=member_id)
    policy = selectors.data_policy_for(organization=membership.organization)
    allowed = selectors.may_review_member_data(actor=membership, policy=policy, member=member)
    form = ReviewForm(request.POST or None)
    record = None
    if allowed and request.method == "POST" and form.is_valid():
        record = services.member_data_review(
            actor=membership, member=member, reason=form.cleaned_data["reason"], request=request
        )
    return console_render(
        request,
        membership,
        "console/review.html",
        {
            "section": "members",
            "member": member,
            "policy": policy,
            "allowed": allowed,
            "policy_allows": policy.allows("review_allowed_for", membership.role),
            "form": form,
            "record": record,
            "record_teams": [(t["name"], team_role_note(t["role"])) for t in record["teams"]]
            if record
            else [],
        },
        # Refused by the policy or the role: the page says why, with the status that says so.
        status=200 if allowed else 403,
    )


@require_http_methods(["GET", "POST"])
@console_view(Scope.INVITATIONS_WRITE)
def invitations(request, membership):
    form = InvitationForm(request.POST or None, actor_role=membership.role)
    if request.method == "POST" and form.is_valid():
        invitation = _on_form(
            form,
            "email",
            lambda: services.invitation_create(actor=membership, request=request, **form.cleaned_data),
            fields_by_code={"role_above_own": "role"},
        )
        if invitation is not None:
            messages.success(
                request, _("An invitation is on its way to %(email)s.") % {"email": invitation.email}
            )
            return redirect("org_invitations", membership.organization.slug)
    page = Paginator(
        selectors.invitations_of_organization(organization=membership.organization), 50
    ).get_page(request.GET.get("page"))
    return console_render(
        request,
        membership,
        "console/invitations.html",
        {
            "section": "invitations",
            "form": form,
            "page": page,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@console_view(Scope.INVITATIONS_WRITE)
def invitation_revoke(request, membership, invitation_id):
    invitation = selectors.access_invitation_by_id(actor=membership, invitation_id=invitation_id)
    services.invitation_revoke(actor=membership, invitation=invitation, request=request)
    messages.success(request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email})
    return redirect("org_invitations", membership.organization.slug)


@require_http_methods(["GET", "POST"])
@console_view(Scope.TEAMS_READ)
def teams(request, membership):
    form = TeamForm(request.POST or None)
    if request.method == "POST":
        selectors.require_scope(membership, Scope.TEAMS_WRITE)
        if form.is_valid():
            team = _on_form(
                form,
                "name",
                lambda: services.team_create(
                    actor=membership, name=form.cleaned_data["name"], request=request
                ),
            )
            if team is not None:
                messages.success(request, _("Team %(name)s created.") % {"name": team.name})
                return redirect("org_teams", membership.organization.slug)
    team_list = selectors.teams_visible_to(membership=membership).annotate(
        member_count=Count("team_memberships")
    )
    return console_render(
        request,
        membership,
        "console/teams.html",
        {
            "section": "teams",
            "form": form,
            "teams": team_list.order_by("name"),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@console_view(Scope.TEAMS_READ)
def team_detail(request, membership, team_id):
    team = selectors.access_team_by_id(actor=membership, team_id=team_id)
    form = TeamMemberAddForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        added = _on_form(
            form,
            "member",
            lambda: services.team_member_add(
                actor=membership,
                team=team,
                member=form.cleaned_data["member"],
                role=form.cleaned_data["role"],
                request=request,
            ),
        )
        if added is not None:
            messages.success(request, _("Added to %(team)s.") % {"team": team.name})
            return redirect("org_team", membership.organization.slug, team.pk)
    team_members = list(selectors.team_memberships_of(team=team))
    return console_render(
        request,
        membership,
        "console/team.html",
        {
            "section": "teams",
            "team": team,
            "team_members": team_members,
            "form": form,
            "is_manager": selectors.is_team_manager(membership=membership, team=team),
            "team_roles": TeamRole.choices,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@console_view(Scope.TEAMS_READ)
def team_member_update(request, membership, team_id, member_id):
    team = selectors.access_team_by_id(actor=membership, team_id=team_id)
    team_membership = selectors.access_team_membership(team=team, membership_id=member_id)
    if request.POST.get("action") == "remove":
        services.team_member_remove(actor=membership, team_membership=team_membership, request=request)
        messages.success(request, _("Removed from %(team)s.") % {"team": team.name})
    elif request.POST.get("role") in TeamRole.values:
        services.team_member_change_role(
            actor=membership, team_membership=team_membership, role=request.POST["role"], request=request
        )
        messages.success(request, _("Team role saved."))
    return redirect("org_team", membership.organization.slug, team.pk)


@require_http_methods(["GET", "POST"])
@console_view(Scope.ORG_READ)
def data_policy(request, membership):
    policy = selectors.data_policy_for(organization=membership.organization)
    can_edit = Scope.SETTINGS_WRITE in ROLE_SCOPES[membership.role]
    form = DataPolicyForm(request.POST or None, instance=policy) if can_edit else None
    if request.method == "POST":
        selectors.require_scope(membership, Scope.SETTINGS_WRITE)
        if form.is_valid():
            services.data_policy_update(
                actor=membership,
                request=request,
                **{f: form.cleaned_data[f] for f in services.DATA_POLICY_FIELDS},
            )
            messages.success(
                request, _("The data policy was saved. Members see the change in their privacy centre.")
            )
            return redirect("org_policy", membership.organization.slug)
    return console_render(
        request,
        membership,
        "console/policy.html",
        {
            "section": "policy",
            "form": form,
            "sentences": selectors.data_policy_in_plain_words(policy=policy),
        },
        status=400 if form is not None and form.errors else 200,
    )


@console_view(Scope.AUDIT_READ)
def audit_log(request, membership):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.organization_audit_events(
        organization=membership.organization,
        event_type=filters.get("event_type", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    if request.GET.get("format") == "csv":
        return _audit_csv(membership.organization, events)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return console_render(
        request,
        membership,
        "console/audit.html",
        {
            "section": "audit",
            "filter_form": form,
            "page": page,
            "rows": selectors.audit_rows(events=page.object_list),
            "query": query_without_page(request),
            "csv_query": query_with_csv_format(request.GET.copy()),
        },
    )


def query_with_csv_format(query):
    """The query string of the page's CSV download (same filters, every page)."""
    query["format"] = "csv"
    query.pop("page", None)
    return query.urlencode()


def _audit_csv(organization, events):
    def rows():
        for start in range(0, events.count(), 1000):
            for row in selectors.audit_rows(events=events[start : start + 1000]):
                event = row["event"]
                yield [
                    csv_time(event.occurred_at),
                    event.event_type,
                    row["actor"].email if row["actor"] else "",
                    row["subject"].email if row["subject"] else "",
                    f"{event.target_type}:{event.target_id}",
                    row["details_text"],
                    event.ip_prefix,
                ]

    return csv_download(
        header=["time_utc", "event", "actor", "subject", "target", "details", "network"],
        rows=rows(),
        filename=f"{organization.slug}-audit-log.csv",
    )
