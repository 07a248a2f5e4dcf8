from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from organizations.models import Membership

from .models import (
    BuiltFile,
    ErasureRequest,
    EvidencePack,
    OrganizationExport,
    PersonalExport,
    SubjectRequest,
)


def exports_of_organization(*, organization) -> QuerySet[OrganizationExport]:
    return OrganizationExport.objects.filter(organization=organization).select_related("requested_by")


def access_export_by_id(*, actor: Membership, export_id: int) -> OrganizationExport:
    return get_object_or_404(OrganizationExport, organization_id=actor.organization_id, pk=export_id)


def member_export_rows(
    *, organization_id: int, after_id: int, limit: int, through_id: int | None = None
) -> list[dict]:
    """One chunk of member rows by primary-key range (up to ``through_id`` when
    given), with team names: two queries per chunk however large the organisation."""
    from organizations.selectors import team_names_by_membership

    members = Membership.objects.filter(organization_id=organization_id, pk__gt=after_id)
    if through_id is not None:
        members = members.filter(pk__lte=through_id)
    chunk = list(members.select_related("user").order_by("pk")[:limit])
    teams = team_names_by_membership(memberships=chunk)
    return [
        {
            "member_id": m.pk,
            "name": m.user.name,
            "email": m.user.email,
            "role": m.role,
            "primary_owner": m.is_primary_owner,
            "joined_at": m.joined_at.isoformat(),
            "teams": teams[m.pk],
        }
        for m in chunk
    ]


def personal_exports_of(*, user) -> QuerySet[PersonalExport]:
    return PersonalExport.objects.filter(user=user).order_by("-created_at", "-id")


def access_personal_export(*, user, public_id) -> PersonalExport:
    """The person's own export; anyone else's answers 404, like one that does not exist."""
    return get_object_or_404(PersonalExport, user=user, public_id=public_id)


def access_organization_export_link(*, actor: Membership, public_id) -> OrganizationExport:
    """An export's emailed link is for whoever started it: for anyone else, even
    an administrator who may export too, it answers 404 like a foreign one."""
    return get_object_or_404(
        OrganizationExport,
        organization_id=actor.organization_id,
        requested_by=actor.user,
        public_id=public_id,
    )


def open_erasure_of(*, user) -> ErasureRequest | None:
    """The person's scheduled or running deletion, if any."""
    return ErasureRequest.objects.filter(user=user, status__in=ErasureRequest.OPEN).order_by("-id").first()


def last_erasure_of(*, user) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(user=user).order_by("-id").first()


def register_in_plain_words() -> dict:
    """The register as the account deletion page shows it: what deletion
    deletes, and what it keeps (unlinked from the person), grouped by the
    reason it is kept."""
    from core.register import Deleted, declarations

    deleted, kept = [], {}
    for model, declaration in declarations():
        row = {
            "what": str(model._meta.verbose_name_plural).capitalize(),
            "erasure": declaration.erasure.how,
            "retention": declaration.retention,
        }
        if isinstance(declaration.erasure, Deleted):
            deleted.append(row)
        else:
            kept.setdefault(str(declaration.erasure.legal_reason), []).append(row)
    by_name = lambda row: row["what"]  # noqa: E731
    return {
        "deleted": sorted(deleted, key=by_name),
        "kept": [{"reason": reason, "rows": sorted(rows, key=by_name)} for reason, rows in kept.items()],
    }


# --- Data-subject requests ------------------------------------------------------------------

QUEUE_VIEWS = ("open", "overdue", "due_week", "closed", "all")
DUE_SOON_DAYS = 7


QUEUE_PAGE_SIZE = 50


def subject_request_queue(*, view: str = "open", kind: str = "", today=None) -> QuerySet[SubjectRequest]:
    """The staff queue: open requests by due date (the next deadline first);
    answered ones most recent first. Unknown filters read as the defaults."""
    today = today or timezone.localdate()
    requests = SubjectRequest.objects.select_related("user")
    if kind in SubjectRequest.Kind.values:
        requests = requests.filter(kind=kind)
    if view == "closed":
        return requests.exclude(outcome=SubjectRequest.Outcome.OPEN).order_by("-received_at", "-id")
    if view == "all":
        return requests.order_by("-received_at", "-id")
    requests = requests.filter(outcome=SubjectRequest.Outcome.OPEN)
    if view == "overdue":
        requests = requests.filter(due_on__lt=today)
    elif view == "due_week":
        requests = requests.filter(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
    return requests.order_by("due_on", "id")


@dataclass(frozen=True)
class QueuePage:
    requests: list[SubjectRequest]
    next_cursor: int | None  # the id of the last row shown, when more follow
    previous_cursor: int | None  # the id of the first row shown, when rows precede it


def _after_key(field: str, value, pk: int, *, descending: bool) -> Q:
    """Rows after (value, pk) in (field, id) order, written so the index on
    ``field`` narrows the scan: ``field >= value AND (field > value OR id > pk)``."""
    if descending:
        return Q(**{f"{field}__lte": value}) & (Q(**{f"{field}__lt": value}) | Q(pk__lt=pk))
    return Q(**{f"{field}__gte": value}) & (Q(**{f"{field}__gt": value}) | Q(pk__gt=pk))


def subject_request_queue_page(
    *, view: str = "open", kind: str = "", today=None, after: int | None = None, before: int | None = None
) -> QueuePage:
    """One page of the queue by keyset on (due date, id), or (received, id)
    for answered requests: every page costs the same however deep it is,
    which OFFSET pages do not. A cursor is the id of a row; a cursor whose
    row has gone (the log expired) starts again from the top."""
    queue = subject_request_queue(view=view, kind=kind, today=today)
    descending = view in ("closed", "all")
    field = "received_at" if descending else "due_on"
    anchor_id = after if after is not None else before
    anchor = (
        SubjectRequest.objects.filter(pk=anchor_id).values_list(field, "pk").first()
        if anchor_id is not None
        else None
    )
    if anchor is not None and before is not None and after is None:
        rows = list(
            queue.filter(_after_key(field, *anchor, descending=not descending)).reverse()[
                : QUEUE_PAGE_SIZE + 1
            ]
        )
        if len(rows) > QUEUE_PAGE_SIZE:
            rows = rows[:QUEUE_PAGE_SIZE][::-1]
            return QueuePage(rows, rows[-1].pk, rows[0].pk)
        anchor = None  # back at the top: the first page, full
    if anchor is not None:
        queue = queue.filter(_after_key(field, *anchor, descending=descending))
    rows = list(queue[: QUEUE_PAGE_SIZE + 1])
    more_after = len(rows) > QUEUE_PAGE_SIZE
    rows = rows[:QUEUE_PAGE_SIZE]
    return QueuePage(
        rows, rows[-1].pk if more_after else None, rows[0].pk if rows and anchor is not None else None
    )


def subject_request_counts(*, today=None) -> dict:
    """Open, overdue and due-this-week counts, in one query."""
    today = today or timezone.localdate()
    return SubjectRequest.objects.filter(outcome=SubjectRequest.Outcome.OPEN).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_week=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))),
    )


def subject_requests_of(*, user) -> QuerySet[SubjectRequest]:
    """The person's own requests, newest first (the privacy centre)."""
    return SubjectRequest.objects.filter(user=user).order_by("-received_at", "-id")


def access_subject_request(*, public_id) -> SubjectRequest:
    return get_object_or_404(SubjectRequest.objects.select_related("user"), public_id=public_id)


def subject_requests_for_source(*, source_ref: str) -> list[SubjectRequest]:
    return list(SubjectRequest.objects.filter(source_ref=source_ref).order_by("kind"))


def subject_request_log_since() -> datetime:
    """The request log covers the last 24 months (11 CCR 7101)."""
    return timezone.now() - relativedelta(months=settings.SUBJECT_REQUEST_LOG_MONTHS)


def subject_request_years() -> list[int]:
    first = SubjectRequest.objects.order_by("received_at").values_list("received_at", flat=True).first()
    this_year = timezone.localdate().year
    if first is None:
        return [this_year]
    return list(range(this_year, timezone.localtime(first).year - 1, -1))


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate: the value at ``fraction`` of the
    ordered values, interpolated linearly; NULLs (open requests) ignored."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _percentile_cont(ordered: list[int], fraction: float) -> float | None:
    """The same definition in Python, for databases without PERCENTILE_CONT."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


FIGURE_OUTCOMES = ("complied", "complied_in_part", "denied", "withdrawn", "open")


def subject_request_figures(*, year: int) -> dict:
    """The yearly figures (11 CCR 7102): per type of request, received,
    complied with in whole or in part, denied, withdrawn, still open, and the
    median and 95th percentile of the calendar days taken to answer. Two
    queries on PostgreSQL however many requests; the same numbers elsewhere."""
    zone = ZoneInfo(settings.TIME_ZONE)
    received = SubjectRequest.objects.filter(
        received_at__gte=datetime(year, 1, 1, tzinfo=zone),
        received_at__lt=datetime(year + 1, 1, 1, tzinfo=zone),
    )
    counts = {"received": Count("pk")} | {
        outcome: Count("pk", filter=Q(outcome=outcome)) for outcome in FIGURE_OUTCOMES
    }
    by_kind = {row["kind"]: row for row in received.values("kind").annotate(**counts).order_by()}
    total = received.aggregate(**counts)
    if connection.vendor == "postgresql":
        spread = {
            "median_days": PercentileCont("days_to_respond", 0.5),
            "p95_days": PercentileCont("days_to_respond", 0.95),
        }
        by_kind_spread = {row["kind"]: row for row in received.values("kind").annotate(**spread).order_by()}
        for kind, row in by_kind.items():
            row.update({k: by_kind_spread[kind][k] for k in spread})
        total.update(received.aggregate(**spread))
    else:
        days: dict[str, list[int]] = {}
        for kind, taken in (
            received.filter(days_to_respond__isnull=False)
            .order_by("days_to_respond")
            .values_list("kind", "days_to_respond")
        ):
            days.setdefault(kind, []).append(taken)
        for kind, row in by_kind.items():
            row["median_days"] = _percentile_cont(days.get(kind, []), 0.5)
            row["p95_days"] = _percentile_cont(days.get(kind, []), 0.95)
        every = sorted(d for values in days.values() for d in values)
        total.update(median_days=_percentile_cont(every, 0.5), p95_days=_percentile_cont(every, 0.95))
    empty = {"received": 0, **dict.fromkeys(FIGURE_OUTCOMES, 0), "median_days": None, "p95_days": None}
    rows = [
        {"kind": kind, "label": label, **{**empty, **by_kind.get(kind, {})}}
        for kind, label in SubjectRequest.Kind.choices
    ]
    return {"year": year, "rows": rows, "total": {**empty, **total}}


# --- Evidence packs -----------------------------------------------------------------------------


def evidence_packs_recent(limit: int = 30) -> list[EvidencePack]:
    return list(
        EvidencePack.objects.select_related("user", "subject_request").order_by("-created_at", "-id")[:limit]
    )


def access_evidence_pack(*, public_id) -> EvidencePack:
    """A finished pack (a pack still building, failed or expired answers 404)."""
    return get_object_or_404(
        EvidencePack.objects.select_related("user").exclude(file=""),
        public_id=public_id,
        status=EvidencePack.Status.DONE,
    )


def subject_request_by_reference(*, reference: str) -> SubjectRequest | None:
    """The request a pack is made for, from its reference (a UUID); None for
    anything else."""
    try:
        return SubjectRequest.objects.select_related("user").filter(public_id=reference).first()
    except ValidationError:
        return None


def data_request_jobs_in_flight() -> list[tuple[str, str, int]]:
    """(job, status, count) of exports and erasures not finished, and failed
    builds: what the metrics report. Finished ones are left out (they only grow)."""
    open_states = [BuiltFile.Status.PENDING, BuiltFile.Status.RUNNING, BuiltFile.Status.FAILED]
    rows: list[tuple[str, str, int]] = []
    for job, model in (("personal_export", PersonalExport), ("organization_export", OrganizationExport)):
        counts = dict(
            model.objects.filter(status__in=open_states)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        rows += [(job, str(state), counts.get(state, 0)) for state in open_states]
    erasure_states = [ErasureRequest.Status.SCHEDULED, ErasureRequest.Status.RUNNING]
    counts = dict(
        ErasureRequest.objects.filter(status__in=erasure_states)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows += [("erasure", str(state), counts.get(state, 0)) for state in erasure_states]
    return rows
