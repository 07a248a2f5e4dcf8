import functools
import json
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import LogLeaf
from cookies.declaration import gpc_categories
from cookies.models import DeclarationRevision
from cookies.selectors import category_keys, current_revision, revision_by_hash
from core.errors import Conflict, RuleViolation
from policies.selectors import privacy_policy_label

from .models import ConsentLink, ConsentRecord, ConsentState

Method = ConsentRecord.Method
Action = ConsentRecord.Action


def _resolve_choices(
    *,
    revision: DeclarationRevision,
    method: str,
    choices: dict | None,
    previous: dict | None,
    previous_gpc: bool | None,
    gpc: bool | None,
    dnt: bool | None,
) -> tuple[dict, list[str]]:
    """(choices, categories granted despite the signal). Every category of the
    revision gets a yes or no, strictly necessary always yes; unknown categories
    and refusing necessary ones are errors. A record of the opt-out signal alone
    (method ``gpc``) keeps the earlier choices and turns off what the signal
    refuses; categories nobody chose yet stay out (the banner still asks)."""
    categories = category_keys(revision)
    optional = [key for key, necessary in categories.items() if not necessary]
    # The opt-out link refuses the same categories as the signal, whether or not the signal is on.
    refused_by_signal = gpc_categories(revision.content) if gpc or method == Method.OPT_OUT else set()
    overridden = []
    if method == Method.ACCEPT_ALL:
        chosen = dict.fromkeys(optional, True)
    elif method == Method.REJECT_ALL:
        chosen = dict.fromkeys(optional, False)
    elif method == Method.OPT_OUT:
        chosen = {key: value for key, value in (previous or {}).items() if key in optional}
    elif method == Method.GPC:
        chosen = {key: value for key, value in (previous or {}).items() if key in optional}
        if previous_gpc:
            # Only the revision changed: what the person granted while the signal was on stays granted.
            overridden = sorted(key for key in refused_by_signal if chosen.get(key))
    else:
        chosen = dict(choices or {})
        unknown = sorted(set(chosen) - set(categories))
        if unknown:
            raise RuleViolation(
                _("Unknown cookie category: %(names)s.") % {"names": ", ".join(unknown)},
                code="unknown_category",
            )
        refused = sorted(key for key in chosen if categories[key] and chosen[key] is not True)
        if refused:
            raise RuleViolation(_("Strictly necessary cookies cannot be refused."), code="necessary_required")
        missing = sorted(set(optional) - set(chosen))
        if missing:
            raise RuleViolation(
                _("Choose yes or no for: %(names)s.") % {"names": ", ".join(missing)}, code="missing_category"
            )
        # One by one, with the signal on: the person's explicit yes wins (11 CCR 7025(c)(3)).
        overridden = sorted(key for key in refused_by_signal if chosen[key])
    for key in refused_by_signal.difference(overridden):
        chosen[key] = False
    # Do Not Track is recorded, and acted on (for what was not chosen one by one) only if configured.
    explicit = method in (Method.CUSTOM, Method.PRIVACY_CENTRE, Method.API)
    if dnt and settings.CONSENT_HONOR_DNT and not explicit and "analytics" in chosen:
        chosen["analytics"] = False
    resolved = {
        key: True if necessary else bool(chosen[key])
        for key, necessary in categories.items()
        if necessary or key in chosen
    }
    return resolved, overridden


def _action(previous: dict | None, choices: dict, necessary: set[str]) -> str:
    def optional_on(c):
        return {k for k, v in c.items() if v and k not in necessary}

    now_on = optional_on(choices)
    if previous is None:
        return Action.GRANT if now_on else Action.DENY
    before_on = optional_on(previous)
    if before_on - now_on and not now_on - before_on:
        return Action.WITHDRAW
    return Action.UPDATE


def consent_record(
    *,
    subject_key: uuid.UUID,
    subject_type: str,
    method: str,
    revision_hash: str,
    choices: dict | None = None,
    signals: dict,
    page_url: str = "",
    language: str = "",
    new_subject: bool = False,
) -> ConsentRecord:
    """Record one decision and update the subject's current state.

    The record is a plain INSERT: no lock is shared between writers (sealing
    happens later, in batches). Only a decision about the revision in force is
    accepted, so nobody consents to a text they were not shown. ``new_subject``
    (a visitor id minted for this request) skips looking up earlier choices."""
    revision = current_revision()
    if revision_hash != revision.content_hash:
        if revision_by_hash(revision_hash) is None:
            raise RuleViolation(_("Unknown declaration revision."), code="unknown_revision")
        raise Conflict(
            _("The cookie declaration changed; show the current one and ask again."), code="stale_revision"
        )
    previous, previous_gpc = (
        (None, None)
        if new_subject
        else ConsentState.objects.filter(subject_key=subject_key).values_list("choices", "gpc").first()
        or (None, None)
    )
    resolved, overridden = _resolve_choices(
        revision=revision,
        method=method,
        choices=choices,
        previous=previous,
        previous_gpc=previous_gpc,
        gpc=signals.get("gpc"),
        dnt=signals.get("dnt"),
    )
    necessary = {key for key, is_necessary in category_keys(revision).items() if is_necessary}
    record = ConsentRecord(
        record_id=uuid.uuid4(),
        subject_key=subject_key,
        subject_type=subject_type,
        choices=resolved,
        action=_action(previous, resolved, necessary),
        method=method,
        revision=revision,
        revision_hash=revision.content_hash,
        policy_version=privacy_policy_label(),
        language=(language or "")[:10],
        page_url=(page_url or "")[:500],
        recorded_at=timezone.now(),
        gpc_overridden=overridden,
        **signals,
    )
    record.record_hash = record.compute_hash()
    _insert_with_state(record)
    return record


_INSERT_WITH_STATE = """
WITH record AS (
    INSERT INTO consent_consentrecord (record_id, subject_key, subject_type, choices, action, method,
        revision_id, revision_hash, policy_version, language, page_url, origin, gpc, dnt, ip_prefix,
        ua_family, ua_version, recorded_at, record_hash, hash_version, gpc_overridden)
    VALUES (%(record_id)s, %(subject_key)s, %(subject_type)s, %(choices)s, %(action)s, %(method)s,
        %(revision_id)s, %(revision_hash)s, %(policy_version)s, %(language)s, %(page_url)s, %(origin)s,
        %(gpc)s, %(dnt)s, %(ip_prefix)s, %(ua_family)s, %(ua_version)s, %(recorded_at)s, %(record_hash)s,
        %(hash_version)s, %(gpc_overridden)s)
    RETURNING seq
)
INSERT INTO consent_consentstate (subject_key, choices, revision_id, record_id, updated_at, gpc)
SELECT %(subject_key)s, %(choices)s, %(revision_id)s, %(record_id)s, %(recorded_at)s, %(gpc)s FROM record
ON CONFLICT (subject_key) DO UPDATE SET choices = EXCLUDED.choices, revision_id = EXCLUDED.revision_id,
    record_id = EXCLUDED.record_id, updated_at = EXCLUDED.updated_at, gpc = EXCLUDED.gpc
RETURNING (SELECT seq FROM record)
"""


def _insert_with_state(record: ConsentRecord) -> None:
    """The record and the subject's current state in one statement, so one
    round trip on PostgreSQL (a single statement is atomic on its own)."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            record.save()
            ConsentState.objects.update_or_create(
                subject_key=record.subject_key,
                defaults={
                    "choices": record.choices,
                    "revision": record.revision,
                    "record_id": record.record_id,
                    "updated_at": record.recorded_at,
                    "gpc": record.gpc,
                },
            )
        return
    params = {
        field: getattr(record, field)
        for field in (
            "record_id",
            "subject_key",
            "subject_type",
            "action",
            "method",
            "revision_hash",
            "policy_version",
            "language",
            "page_url",
            "origin",
            "gpc",
            "dnt",
            "ip_prefix",
            "ua_family",
            "ua_version",
            "recorded_at",
            "record_hash",
            "hash_version",
        )
    }
    params.update(
        choices=json.dumps(record.choices),
        revision_id=record.revision_id,
        gpc_overridden=json.dumps(record.gpc_overridden),
    )
    with _prepared_cursor() if settings.DB_PREPARED_STATEMENTS else connection.cursor() as cursor:
        cursor.execute(_INSERT_WITH_STATE, params)
        record.seq = cursor.fetchone()[0]
    record._state.adding = False


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=True, binary=None):
            return super().execute(query, params, prepare=prepare, binary=binary)

    return PreparingCursor


def _prepared_cursor():
    """A Django cursor (health check, query logging, error translation) whose
    statements PostgreSQL prepares once per connection and then only executes:
    planning the two-table write cost the server more than running it. Django's
    own cursors bind on the client and never prepare (see DB_PREPARED_STATEMENTS)."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = _preparing_cursor_class()(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def consent_link_visitor(*, visitor_key: uuid.UUID, account_subject_key: uuid.UUID) -> ConsentState | None:
    """Join a device's consent to an account when its person signs in. The
    account's own choices win on every device from then on; an account that has
    none adopts the device's (by linking, never by editing records)."""
    with transaction.atomic():
        ConsentLink.objects.bulk_create(
            [ConsentLink(visitor_key=visitor_key, account_subject_key=account_subject_key)],
            ignore_conflicts=True,
        )
        account_state = ConsentState.objects.filter(subject_key=account_subject_key).first()
        if account_state is not None:
            return account_state
        device_state = ConsentState.objects.filter(subject_key=visitor_key).first()
        if device_state is None:
            return None
        return ConsentState.objects.create(
            subject_key=account_subject_key,
            choices=device_state.choices,
            revision=device_state.revision,
            record_id=device_state.record_id,
            updated_at=timezone.now(),
            gpc=device_state.gpc,
        )


def consent_signal_apply(
    *, subject_keys: list[tuple[uuid.UUID, str]], signals: dict, page_url: str, language: str
) -> list[ConsentRecord]:
    """The opt-out preference signal is on (``signals["gpc"]``) for these
    subjects: one record each whose state does not already say so for the
    declaration in force, turning off what the signal refuses. A visit without
    the signal changes nothing (it is not an opt-in); the next decision made
    without it records that the signal was off."""
    revision = current_revision()
    states = {
        key: (gpc, revision_id)
        for key, gpc, revision_id in ConsentState.objects.filter(
            subject_key__in=[key for key, _type in subject_keys]
        ).values_list("subject_key", "gpc", "revision_id")
    }
    records = []
    for subject_key, subject_type in subject_keys:
        state = states.get(subject_key)
        if state is not None and state[0] and state[1] == revision.pk:
            continue
        records.append(
            consent_record(
                subject_key=subject_key,
                subject_type=subject_type,
                method=Method.GPC,
                revision_hash=revision.content_hash,
                signals=signals,
                page_url=page_url,
                language=language,
                new_subject=state is None,
            )
        )
    return records


def consent_signal_apply_to_account(
    *, account_subject_key: uuid.UUID, signals: dict, page_url: str, language: str
) -> list[ConsentRecord]:
    """Signed in: the signal applies to the account and every device linked to
    it. One query when the account's state already says so."""
    account = (
        ConsentState.objects.filter(subject_key=account_subject_key).values_list("gpc", "revision_id").first()
    )
    if account is not None and account[0] and account[1] == current_revision().pk:
        return []
    linked = ConsentLink.objects.filter(account_subject_key=account_subject_key).values_list(
        "visitor_key", flat=True
    )
    return consent_signal_apply(
        subject_keys=[
            (account_subject_key, ConsentRecord.SubjectType.ACCOUNT),
            *((key, ConsentRecord.SubjectType.VISITOR) for key in linked),
        ],
        signals=signals,
        page_url=page_url,
        language=language,
    )


# --- Erasure and retention (issue 9) ----------------------------------------------------


def consent_state_forget(*, subject_key: uuid.UUID) -> int:
    """Erasure: the current choices of the account go (derived data, not
    evidence); its records stay, under a key that no longer leads to anyone."""
    return ConsentState.objects.filter(subject_key=subject_key).delete()[0]


def consent_retention_apply(*, cutoff) -> dict:
    """iCentrex's own retention of proof of consent: records made before
    ``cutoff`` are deleted, together with current choices last made before it
    (the person is asked again).

    On PostgreSQL the records are partitioned by month (audit.partitions): a
    month goes whole once all of it is past the cutoff, so a record may stay up
    to a month longer than the period; the archive partition (rows dated before
    partitioning began) and a database without partitions are purged row by
    row. Either way only a prefix of the stream goes — every record up to a
    sequence number, all of them in the transparency log — so the log keeps
    their leaves and every proof stays valid, and each purge is recorded in the
    audit chain in the same transaction, which is where ``evidence_verify``
    learns that those records may be missing."""
    from audit.partitions import PartitionWaits, partition_drop, partitions_expired, partitions_of

    from .streams import CONSENT_PARTITIONS

    partitions = partitions_of(CONSENT_PARTITIONS.table) if connection.vendor == "postgresql" else []
    archive_end = next((p.end for p in partitions if p.is_archive), None)
    rows_cutoff = min(cutoff, archive_end) if archive_end else cutoff
    result = _consent_records_purge(cutoff=rows_cutoff, states_cutoff=cutoff)
    result["partitions_dropped"] = []
    for partition in partitions_expired(CONSENT_PARTITIONS, cutoff=cutoff):
        try:
            dropped = partition_drop(CONSENT_PARTITIONS, partition, reason={"cutoff": cutoff.isoformat()})
        except PartitionWaits:
            break  # not logged yet, or the table busy: the next run drops it (and the months after it)
        result["partitions_dropped"].append(partition.name)
        result["consent_records_deleted"] += dropped["consent_rows_deleted"]
        result["through_seq"] = max(result["through_seq"], dropped.get("through_seq", 0))
    return result


def _consent_records_purge(*, cutoff, states_cutoff) -> dict:
    """Row by row: the records before ``cutoff`` that form a logged prefix of the
    stream, and the current choices last made before ``states_cutoff``."""
    from audit.events import EventType
    from audit.evidence import evidence_purge
    from audit.services import audit_record

    first_recent = (
        ConsentRecord.objects.filter(recorded_at__gte=cutoff)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    older = (
        ConsentRecord.objects.all()
        if first_recent is None
        else ConsentRecord.objects.filter(seq__lt=first_recent)
    )
    first_unlogged = (
        older.filter(~Exists(LogLeaf.objects.filter(stream="consent", record_seq=OuterRef("seq"))))
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    stops = [seq for seq in (first_recent, first_unlogged) if seq is not None]
    last_seq = ConsentRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    through_seq = min(stops) - 1 if stops else last_seq
    with transaction.atomic():
        deleted = evidence_purge(ConsentRecord.objects.filter(seq__lte=through_seq)) if through_seq else 0
        states = ConsentState.objects.filter(updated_at__lt=states_cutoff).delete()[0]
        if deleted or states:
            audit_record(
                event_type=EventType.RETENTION_APPLIED,
                changes={
                    "stream": "consent",
                    "through_seq": through_seq,
                    "cutoff": cutoff.isoformat(),
                    "consent_records_deleted": deleted,
                    "consent_states_deleted": states,
                },
            )
    return {
        "through_seq": through_seq,
        "consent_records_deleted": deleted,
        "consent_states_deleted": states,
    }
