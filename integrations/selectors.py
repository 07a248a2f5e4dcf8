from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet
from django.shortcuts import get_object_or_404

from audit.sealing import seals_verify
from organizations.models import Membership
from organizations.roles import Scope, role_has_scope
from organizations.selectors import data_policy_for
from subjects.models import SubjectLink

from .catalog import CATEGORIES
from .models import Installation, Provider, SharingEvent, SharingSeal, WebhookDelivery

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


def providers_with_my_data(*, user) -> list[dict]:
    """Per provider: how many shares about this person and the latest."""
    keys = SubjectLink.objects.filter(user=user).values("subject_key")
    rows = (
        SharingEvent.objects.filter(subject_key__in=keys)
        .values("provider")
        .annotate(shares=Count("seq"), last=Max("occurred_at"))
        .order_by("-last")
    )
    providers = Provider.objects.in_bulk([r["provider"] for r in rows])
    return [{"provider": providers[r["provider"]], "shares": r["shares"], "last": r["last"]} for r in rows]


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


def sharing_seals_verify():
    return seals_verify(record_model=SharingEvent, seal_model=SharingSeal)
