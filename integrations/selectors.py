from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Membership, Organization, Team
from organizations.roles import Scope, role_has_scope
from organizations.selectors import data_policy_for, is_team_manager, teams_managed_by
from subjects.models import SubjectLink

from .catalog import CATEGORIES
from .models import (
    Installation,
    Provider,
    SharingEvent,
    SubprocessorChange,
    SubprocessorEvidence,
    WebhookDelivery,
)

LOG_PAGE_SIZE = 50


def integrations_available() -> QuerySet[Provider]:
    return Provider.objects.filter(kind=Provider.Kind.INTEGRATION, active=True)


def service_providers() -> QuerySet[Provider]:
    return Provider.objects.filter(kind=Provider.Kind.SERVICE_PROVIDER, active=True)


def access_integration(*, slug: str) -> Provider:
    return get_object_or_404(integrations_available(), slug=slug)


def my_installations(*, user) -> QuerySet[Installation]:
    """Integrations the person added for themselves."""
    return (
        Installation.objects.filter(installed_by=user, team__isnull=True)
        .select_related("provider", "organization")
        .order_by("-created_at")
    )


def access_my_installation(*, user, public_id) -> Installation:
    return get_object_or_404(my_installations(user=user), public_id=public_id)


def organization_installations(*, organization) -> QuerySet[Installation]:
    """Every integration added in the organisation (for a team or for oneself
    within it), with how many shares it received and the last one."""
    return (
        Installation.objects.filter(organization=organization)
        .select_related("provider", "team", "installed_by")
        .order_by("-created_at")
    )


def access_organization_installation(*, organization, public_id) -> Installation:
    return get_object_or_404(organization_installations(organization=organization), public_id=public_id)


@dataclass(frozen=True)
class LogPage:
    events: list
    next_cursor: int | None  # the seq to continue below; None on the last page


def _page(events: QuerySet[SharingEvent], *, before: int | None, size: int = LOG_PAGE_SIZE) -> LogPage:
    """Keyset pagination on seq (newest first): every page costs the same,
    however deep in a long log it is."""
    if before is not None:
        events = events.filter(seq__lt=before)
    rows = list(events.select_related("provider").order_by("-seq")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    _attach_delivery_status(rows)
    return LogPage(rows, rows[-1].seq if more else None)


def _attach_delivery_status(events: list[SharingEvent]) -> None:
    """Each event's delivery status (one query for the page). Shares with a
    service provider have no webhook: they were handed over as they happened."""
    ids = {e.delivery_id for e in events if e.delivery_id}
    status = dict(WebhookDelivery.objects.filter(pk__in=ids).values_list("pk", "status")) if ids else {}
    for event in events:
        event.delivery_status = status.get(event.delivery_id, "handed_over" if not event.delivery_id else "")


def _filtered(events, *, provider: str = "", category: str = "") -> QuerySet[SharingEvent]:
    if provider:
        events = events.filter(provider__slug=provider)
    if category in CATEGORIES:
        events = events.filter(categories__contains=f",{category},")
    return events


def sharing_log_for(*, user, provider: str = "", category: str = "", before: int | None = None) -> LogPage:
    """Who received data about this person, what, when and why: newest first."""
    keys = list(SubjectLink.objects.filter(user=user).values_list("subject_key", flat=True))
    events = _filtered(
        SharingEvent.objects.filter(subject_key__in=keys), provider=provider, category=category
    )
    return _page(events, before=before)


def may_see_member_detail(*, membership: Membership) -> bool:
    """Who received what about which member is member data: shown only to those
    the organisation's data policy lets review member data."""
    return role_has_scope(membership.role, Scope.MEMBER_DATA_REVIEW) and data_policy_for(
        organization=membership.organization
    ).allows("review_allowed_for", membership.role)


def installation_shares(*, installation: Installation, before: int | None = None) -> LogPage:
    return _page(SharingEvent.objects.filter(installation_id=installation.public_id), before=before)


def installation_summaries(*, installations: list[Installation]) -> dict:
    """public_id -> {"shares", "people", "last"} in one query."""
    rows = (
        SharingEvent.objects.filter(installation_id__in=[i.public_id for i in installations])
        .values("installation_id")
        .annotate(shares=Count("seq"), people=Count("subject_key", distinct=True), last=Max("occurred_at"))
    )
    return {r["installation_id"]: r for r in rows}


def members_by_subject_key(*, organization, subject_keys) -> dict:
    """subject key -> member (name, email) of this organisation, for member-level detail."""
    links = SubjectLink.objects.filter(
        subject_key__in=subject_keys, user__memberships__organization=organization
    ).select_related("user")
    return {link.subject_key: link.user for link in links}


def sharing_summary_for(*, user) -> list[dict]:
    """What "Who has my data" opens with: per provider, the shares about this person, the latest, plus
    the categories each provider received (grouped by provider and category
    set, merged here: still one query, a provider rarely gets many sets)."""
    keys = SubjectLink.objects.filter(user=user).values("subject_key")
    rows = (
        SharingEvent.objects.filter(subject_key__in=keys)
        .values("provider", "categories")
        .annotate(shares=Count("seq"), last=Max("occurred_at"))
        .order_by()
    )
    merged: dict[int, dict] = {}
    for r in rows:
        row = merged.setdefault(r["provider"], {"shares": 0, "last": r["last"], "categories": set()})
        row["shares"] += r["shares"]
        row["last"] = max(row["last"], r["last"])
        row["categories"].update(c for c in r["categories"].split(",") if c)
    providers = Provider.objects.in_bulk(list(merged))
    return sorted(
        (
            {
                "provider": providers[pk],
                "shares": row["shares"],
                "last": row["last"],
                "categories": sorted(row["categories"]),
            }
            for pk, row in merged.items()
        ),
        key=lambda r: r["last"],
        reverse=True,
    )


def sharing_places(*, events) -> dict:
    """The organisations and teams a page of events names (their evidence keeps
    plain ids): {"organizations": {id: Organization}, "teams": {id: Team}}, at
    most two queries whatever the page's size."""
    org_ids = {e.organization_id for e in events if e.organization_id}
    team_ids = {e.team_id for e in events if e.team_id}
    return {
        "organizations": Organization.objects.in_bulk(org_ids) if org_ids else {},
        "teams": Team.objects.in_bulk(team_ids) if team_ids else {},
    }


def teams_manageable_by(*, membership: Membership) -> QuerySet[Team]:
    """Teams this person may add integrations for (and remove them from): the
    teams they manage, by name. The service enforces the same rule; forms offer
    only these."""
    return teams_managed_by(membership=membership).order_by("name")


def may_manage_installation(*, membership: Membership | None, user, installation: Installation) -> bool:
    """Whether ``installation_remove`` would let this person remove it (to show the button)."""
    if installation.status != Installation.Status.ACTIVE:
        return False
    if installation.team_id is None:
        return installation.installed_by_id == user.pk
    if membership is None or membership.organization_id != installation.organization_id:
        return False
    return is_team_manager(membership=membership, team=installation.team)


@dataclass(frozen=True)
class Share:
    """One share with an integration (one signed delivery): what went, when,
    why, and about how many people; ``members`` lists them only where member
    detail may be shown (None otherwise; an entry is None for someone no
    longer in the organisation or erased)."""

    event: SharingEvent  # one of the share's events: fields, purpose, time are the same for all
    people: int
    members: list | None


@dataclass(frozen=True)
class SharePage:
    shares: list[Share]
    next_cursor: int | None


def organization_shares(
    *,
    organization,
    installation: Installation | None = None,
    provider: str = "",
    category: str = "",
    before: int | None = None,
    with_members: bool = False,
    size: int = LOG_PAGE_SIZE,
) -> SharePage:
    """What the organisation's integrations received, newest first, one row
    per share (the events of one delivery grouped). Keyset on the share's
    newest event, so the cursor is a seq like the personal log's."""
    events = SharingEvent.objects.filter(organization_id=organization.pk)
    if installation is not None:
        events = events.filter(installation_id=installation.public_id)
    events = _filtered(events, provider=provider, category=category)
    groups = events.values("delivery_id").annotate(last=Max("seq"), people=Count("seq")).order_by("-last")
    if before is not None:
        groups = groups.filter(last__lt=before)
    groups = list(groups[: size + 1])
    more = len(groups) > size
    groups = groups[:size]
    shown = SharingEvent.objects.select_related("provider").in_bulk([g["last"] for g in groups])
    rows = [shown[g["last"]] for g in groups]
    _attach_delivery_status(rows)
    members: dict = {}
    if with_members and groups:
        pairs = list(
            events.filter(delivery_id__in=[g["delivery_id"] for g in groups]).values_list(
                "delivery_id", "subject_key"
            )
        )
        people = members_by_subject_key(organization=organization, subject_keys={k for _d, k in pairs})
        for delivery_id, key in pairs:
            members.setdefault(delivery_id, []).append(people.get(key))
    shares = [
        Share(
            event=row,
            people=group["people"],
            members=sorted(members.get(group["delivery_id"], []), key=lambda u: (u is None, u and u.email))
            if with_members
            else None,
        )
        for row, group in zip(rows, groups, strict=True)
    ]
    return SharePage(shares, groups[-1]["last"] if more else None)


def provider_register(*, kind: str = "") -> QuerySet[Provider]:
    """Every provider, active or not, for the staff register."""
    providers = Provider.objects.all()
    if kind:
        providers = providers.filter(kind=kind)
    return providers.order_by("kind", "name")


def access_provider(*, slug: str) -> Provider:
    return get_object_or_404(Provider, slug=slug)


def removal_told(*, installation: Installation) -> str:
    """Where telling the provider about a removal stands, in a sentence that
    says only what has happened: the notice is a webhook delivered in the
    background, so right after removing it is usually still on its way."""
    status = (
        installation.deliveries.filter(kind=WebhookDelivery.Kind.INSTALLATION_REMOVED)
        .order_by("-id")
        .values_list("status", flat=True)
        .first()
    )
    name = installation.provider.name
    if status == WebhookDelivery.Status.DELIVERED:
        return _("%(name)s was removed. Nothing more is shared with it, and it has been told.") % {
            "name": name
        }
    if status == WebhookDelivery.Status.FAILED:
        return _(
            "%(name)s was removed and nothing more is shared with it. We could not reach it to say so."
        ) % {"name": name}
    return _("%(name)s was removed and nothing more is shared with it. We are telling %(name)s now.") % {
        "name": name
    }


# --- Sub-processors -----------------------------------------------------------------------------


def subprocessors_in_use() -> QuerySet[Provider]:
    """The public sub-processor list: the service providers in use now."""
    return Provider.objects.filter(kind=Provider.Kind.SERVICE_PROVIDER, active=True).order_by("name")


def subprocessor_changes_announced() -> list[SubprocessorChange]:
    """Changes still in their notice period, the soonest first."""
    return list(
        SubprocessorChange.objects.filter(applied_at__isnull=True)
        .select_related("provider")
        .order_by("effective_on", "pk")
    )


def subprocessor_changes_recent(*, days: int = 365) -> list[SubprocessorChange]:
    since = timezone.now() - timedelta(days=days)
    return list(
        SubprocessorChange.objects.filter(applied_at__isnull=False, announced_at__gte=since)
        .select_related("provider")
        .order_by("-applied_at", "-pk")
    )


def access_open_subprocessor_change(*, public_id) -> SubprocessorChange:
    return get_object_or_404(
        SubprocessorChange.objects.select_related("provider").filter(applied_at__isnull=True),
        public_id=public_id,
    )


def subprocessor_objections_of(*, organization_id: int) -> list[SubprocessorEvidence]:
    return list(
        SubprocessorEvidence.objects.filter(
            kind=SubprocessorEvidence.Kind.OBJECTION, organization_id=organization_id
        ).order_by("-seq")
    )


def subprocessor_changes_for_staff() -> list[dict]:
    """The latest changes with their notices sent and objections (three queries)."""
    changes = list(
        SubprocessorChange.objects.select_related("provider").order_by("-announced_at", "-pk")[:100]
    )
    evidence = list(
        SubprocessorEvidence.objects.filter(change_id__in=[c.pk for c in changes]).order_by("seq")
    )
    objecting = {r.organization_id for r in evidence if r.kind == SubprocessorEvidence.Kind.OBJECTION}
    names = dict(Organization.objects.filter(pk__in=objecting).values_list("pk", "name")) if objecting else {}
    sent: dict[int, int] = {}
    objections: dict[int, list] = {}
    for record in evidence:
        if record.kind == SubprocessorEvidence.Kind.NOTICE_SENT:
            sent[record.change_id] = sent.get(record.change_id, 0) + 1
        else:
            objections.setdefault(record.change_id, []).append(
                {
                    "organization": names.get(record.organization_id, "—"),
                    "text": record.text,
                    "at": record.occurred_at,
                }
            )
    return [{"change": c, "sent": sent.get(c.pk, 0), "objections": objections.get(c.pk, [])} for c in changes]


def webhook_outbox_counts() -> dict[str, int]:
    """Deliveries not delivered, by status (pending, delivering, failed): the
    metrics' view of the outbox. Delivered ones are left out (they only grow)."""
    waiting = [
        WebhookDelivery.Status.PENDING,
        WebhookDelivery.Status.DELIVERING,
        WebhookDelivery.Status.FAILED,
    ]
    counts = dict.fromkeys(waiting, 0)
    rows = WebhookDelivery.objects.filter(status__in=waiting).values_list("status").annotate(n=Count("pk"))
    counts.update(rows.order_by())
    return {str(status): n for status, n in counts.items()}
