import uuid

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from audit.transparency import log_receipt_proof
from cookies.declaration import categories_needing_reconsent
from cookies.selectors import current_revision, revision_by_hash
from core.controller import controller
from policies.models import PolicyDocument
from policies.selectors import version_in_force
from subjects.services import subject_key_for_user

from .cookie import read_consent_cookie
from .models import ConsentLink, ConsentRecord, ConsentState


def consent_state_for_user(*, user) -> ConsentState | None:
    """The account's state in one query (joined through its subject link)."""
    from subjects.models import SubjectLink

    return (
        ConsentState.objects.select_related("revision")
        .filter(subject_key__in=SubjectLink.objects.filter(user=user).values("subject_key"))
        .first()
    )


def subject_keys_of_user(*, user) -> list[uuid.UUID]:
    """The account's subject key and the visitor ids of devices linked to it."""
    account = subject_key_for_user(user=user)
    linked = ConsentLink.objects.filter(account_subject_key=account).values_list("visitor_key", flat=True)
    return [account, *linked]


def consent_history_for_user(*, user) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(subject_key__in=subject_keys_of_user(user=user)).order_by("-seq")


def access_receipt(*, user, record_id) -> ConsentRecord:
    """Someone else's record answers exactly like a missing one."""
    return get_object_or_404(
        ConsentRecord.objects.select_related("revision"),
        record_id=record_id,
        subject_key__in=subject_keys_of_user(user=user),
    )


def receipt_of(record: ConsentRecord, *, just_written: bool = False) -> dict:
    """The receipt: the record's hashed content (``hashed_fields`` names it,
    so anyone recomputes ``record_hash``), and once the record is in a signed
    checkpoint of the consent log, the proof of it. A record just written is
    not in one yet (the integrator adds it within seconds)."""
    content = record.hashed_content()
    proof = None if just_written else log_receipt_proof("consent", record.seq)
    return {
        **content,
        "record_hash": record.record_hash,
        "hashed_fields": sorted(content),
        "sealed": proof is not None,
        "proof": proof,
        # Who the consent was given to (outside the hashed content: the record stays as it was).
        "controller": controller(),
    }


def consent_records_between(
    *, since, until, origin: str = "", revision_hash: str = ""
) -> QuerySet[ConsentRecord]:
    """Records of a period, optionally of one site ("-": this site) and one revision."""
    records = ConsentRecord.objects.filter(recorded_at__date__gte=since, recorded_at__date__lte=until)
    if origin:
        records = records.filter(origin="" if origin == "-" else origin)
    if revision_hash:
        records = records.filter(revision_hash=revision_hash)
    return records


def consent_figures(*, since, until, origin: str = "", revision_hash: str = "") -> list[dict]:
    """Per day: decisions by how they were given and the share granting each
    optional category. One grouped query, whatever the volume."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncDate

    Method = ConsentRecord.Method
    records = consent_records_between(since=since, until=until, origin=origin, revision_hash=revision_hash)
    rows = (
        records.annotate(day=TruncDate("recorded_at"))
        .values("day")
        .annotate(
            total=Count("seq"),
            accept_all=Count("seq", filter=Q(method=Method.ACCEPT_ALL)),
            reject_all=Count("seq", filter=Q(method=Method.REJECT_ALL)),
            custom=Count("seq", filter=Q(method__in=[Method.CUSTOM, Method.PRIVACY_CENTRE, Method.API])),
            preferences=Count("seq", filter=Q(choices__preferences=True)),
            analytics=Count("seq", filter=Q(choices__analytics=True)),
            marketing=Count("seq", filter=Q(choices__marketing=True)),
        )
        .order_by("day")
    )
    return [
        {
            **row,
            "other": row["total"] - row["accept_all"] - row["reject_all"] - row["custom"],
            "rates": {
                key: round(100 * row[key] / row["total"]) if row["total"] else 0
                for key in ("accept_all", "reject_all", "custom", "preferences", "analytics", "marketing")
            },
        }
        for row in rows
    ]


def consent_origins() -> list[str]:
    return list(ConsentRecord.objects.order_by("origin").values_list("origin", flat=True).distinct())


def consent_state_for_request(request, revision=None) -> dict:
    """The choices that apply to this request: the account's when signed in,
    else the device's (from its signed cookie, without a database read)."""
    revision = revision or current_revision()
    if request.user.is_authenticated:
        state = consent_state_for_user(user=request.user)
        choices = state.choices if state else None
        shown_hash = state.revision.content_hash if state else None
        shown_content = state.revision.content if state else None
        gpc = bool(state and state.gpc)
    else:
        cookie = read_consent_cookie(request)
        choices = cookie["choices"] if cookie else None
        shown_hash = cookie["revision"] if cookie else None
        gpc = bool(cookie and cookie.get("gpc"))
        shown_content = revision.content if shown_hash == revision.content_hash else None
        if shown_hash and shown_hash != revision.content_hash:
            old = revision_by_hash(shown_hash)
            shown_content = old.content if old else None
    reconsent = []
    if choices and shown_hash != revision.content_hash:
        accepted = {key for key, on in choices.items() if on}
        reconsent = sorted(
            categories_needing_reconsent(
                accepted=accepted, shown=shown_content or {"categories": []}, current=revision.content
            )
        )
    # A record of the opt-out signal alone decides only what the signal refuses;
    # the person is still asked about the rest of what they were shown.
    undecided = [
        c["key"]
        for c in (shown_content or {"categories": []})["categories"]
        if not c["necessary"] and c["key"] not in (choices or {})
    ]
    return {
        "revision": shown_hash,
        # Still valid when nothing was added to a category the person accepted.
        "current": bool(choices) and not reconsent and not undecided and shown_content is not None,
        "choices": choices,
        "reconsent": reconsent,
        "gpc": gpc,
    }


def privacy_policy_effective_at():
    """When the privacy policy in force took effect; None before any is published."""
    document = PolicyDocument.objects.filter(slug="privacy").first()
    version = version_in_force(document=document) if document else None
    return version.effective_at if version else None


def tracker_sightings(*, status: str):
    from cookies.models import TrackerSighting

    return TrackerSighting.objects.filter(status=status).order_by("-last_seen", "pk")


def tracker_sighting_counts() -> dict[str, int]:
    from django.db.models import Count

    from cookies.models import TrackerSighting

    return dict(
        TrackerSighting.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
