"""The registry of evidence streams (DESIGN.md, "Records that are evidence").

Every append-only stream of evidence is listed here under a short name, with
how to seal what is pending and how to verify it, so one Celery task seals
them all (``audit.tasks.evidence_seal``), one nightly task and one command
verify them all (``audit.tasks.evidence_verify``, ``manage.py
evidence_verify``), and each verification answers in the same shape.

``audit`` sits low in the stack and imports no higher app: an app that owns a
stream registers it from its ``streams`` module, imported by its
``AppConfig.ready()``. Streams sealed in batches of the rows since the last
seal (consent, sharing, disclosures) need only their three models
(``batch_sealed_stream``); a stream with its own rules passes its own seal and
verify functions (policy notices: see policies.streams). The audit trail,
chained row by row as it is written, has nothing to seal.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .models import AuditEvent
from .sealing import SealBreak, seal_pending, seals_verify
from .selectors import Pruned, audit_chain_verify, evidence_pruned
from .transparency import LogSource, log_integrate_all


@dataclass(frozen=True)
class StreamBreak:
    """Where a stream's verification stopped: a seal of a sealed stream, or a
    row of a stream chained row by row (``unit`` says which)."""

    unit: str
    id: int
    reason: str

    def __str__(self) -> str:
        return f"{self.unit} {self.id}: {self.reason}"


@dataclass(frozen=True)
class StreamCheck:
    """One stream's verification: how many of its rows (``items``) and seals
    verified intact — before the break, when there is one — and the first break."""

    stream: str
    items: int
    seals: int
    broken: StreamBreak | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict:
        broken = self.broken
        return {
            "items": self.items,
            "seals": self.seals,
            "broken": None
            if broken is None
            else {"unit": broken.unit, "id": broken.id, "reason": broken.reason},
        }

    @classmethod
    def from_seals(cls, stream: str, seals: int, items: int, broken: SealBreak | None) -> "StreamCheck":
        """From the (seals checked, rows checked, first break) of a seal walk,
        whose seal count includes the broken seal."""
        if broken is None:
            return cls(stream, items, seals)
        return cls(stream, items, seals - 1, StreamBreak("seal", broken.seal_id, broken.reason))


@dataclass(frozen=True)
class EvidenceStream:
    """An evidence stream as the plumbing sees it.

    ``items``: what its rows are called in reports ("records", "events").
    ``verify``: checks the whole stream, read-only.
    ``seal``: seals one batch of what is pending and returns how many rows the
    new seal covers, or None when nothing is pending (the plumbing calls it
    until then); None for a stream chained row by row as it is written.
    ``log``: where its transparency log's entries come from
    (audit.transparency); None for a stream not logged yet."""

    name: str
    items: str
    verify: Callable[[], StreamCheck]
    seal: Callable[[], int | None] | None = None
    log: LogSource | None = None


class UnknownStream(LookupError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"Unknown evidence stream {name!r}; the streams are: {', '.join(stream_names())}.")


_STREAMS: dict[str, EvidenceStream] = {}


def stream_register(stream: EvidenceStream) -> EvidenceStream:
    """Add a stream (from an app's ``streams`` module, imported at start-up).
    A name is registered once: two apps claiming one stream is a mistake."""
    existing = _STREAMS.get(stream.name)
    if existing is not None and existing != stream:
        raise ValueError(f"Evidence stream {stream.name!r} is registered twice")
    _STREAMS[stream.name] = stream
    return stream


def stream_names() -> list[str]:
    """Every registered stream, in the order reports list them: by name."""
    return sorted(_STREAMS)


def evidence_streams(names: Iterable[str] | None = None) -> list[EvidenceStream]:
    """The named streams (all when ``names`` is None), in report order;
    UnknownStream for a name nobody registered."""
    if names is None:
        return [_STREAMS[name] for name in stream_names()]
    wanted = set(names)
    for name in sorted(wanted):
        if name not in _STREAMS:
            raise UnknownStream(name)
    return [_STREAMS[name] for name in stream_names() if name in wanted]


def evidence_stream(name: str) -> EvidenceStream:
    return evidence_streams([name])[0]


def logged_streams() -> list[EvidenceStream]:
    """The streams kept as transparency logs, in report order."""
    return [stream for stream in evidence_streams() if stream.log is not None]


def stream_seal(name: str) -> int:
    """Make everything the stream has pending provable now: add it to the
    stream's transparency log (what the integrator does within a second) and
    seal it in a Merkle batch (the older mechanism, kept for the seals already
    made and run only on demand). How many rows were sealed (0 for a stream
    chained row by row: it has nothing pending)."""
    stream = evidence_stream(name)
    if stream.log is not None:
        log_integrate_all(name, stream.log)
    sealed = 0
    while stream.seal is not None and (count := stream.seal()) is not None:
        sealed += count
    return sealed


def stream_verify(name: str) -> StreamCheck:
    return evidence_stream(name).verify()


# --- Streams sealed in batches (audit.sealing) ------------------------------------------


@dataclass(frozen=True)
class _BatchSeal:
    records: type
    seals: type
    entries: type
    lock_id: int

    def __call__(self) -> int | None:
        seal = seal_pending(
            record_model=self.records, seal_model=self.seals, entry_model=self.entries, lock_id=self.lock_id
        )
        return None if seal is None else seal.record_count


@dataclass(frozen=True)
class _BatchVerify:
    stream: str
    records: type
    seals: type
    retention_pruned: bool

    def __call__(self) -> StreamCheck:
        pruned = evidence_pruned(stream=self.stream) if self.retention_pruned else Pruned()
        seals, records, broken = seals_verify(record_model=self.records, seal_model=self.seals, pruned=pruned)
        return StreamCheck.from_seals(self.stream, seals, records, broken)


def batch_sealed_stream(
    *,
    name: str,
    items: str,
    records,
    seals,
    entries,
    lock_id: int,
    record_id: str,
    time_field: str,
    retention_pruned: bool = False,
    owner_field: str = "subject_key",
) -> EvidenceStream:
    """A stream whose committed rows are sealed in batches by audit.sealing:
    ``records`` (``seq``, ``record_hash``, ``compute_hash()``), ``seals``
    (``SealBase``) and ``entries`` (``SealEntryBase``). ``lock_id`` is the
    stream's advisory lock (one sealer at a time). With ``retention_pruned``
    a retention purge may delete a sealed prefix of the stream: the audit
    chain records how far (``RETENTION_APPLIED`` with ``stream=name``), and
    verification accepts those records missing and no others. ``record_id``
    names the column receipts and proofs name a record by, ``time_field``
    when it was written, ``owner_field`` the subject key of the person a
    record is about."""
    return EvidenceStream(
        name=name,
        items=items,
        seal=_BatchSeal(records, seals, entries, lock_id),
        verify=_BatchVerify(name, records, seals, retention_pruned),
        log=LogSource(records, "seq", "record_hash", record_id, time_field, owner_field=owner_field),
    )


# --- The audit trail: chained row by row, nothing to seal ----------------------------------


def _audit_trail_verify() -> StreamCheck:
    checked, broken = audit_chain_verify()
    if broken is None:
        return StreamCheck("audit", checked, 0)
    # The count includes the broken row.
    return StreamCheck("audit", checked - 1, 0, StreamBreak("event", broken.event_id, broken.reason))


AUDIT_TRAIL = EvidenceStream(
    name="audit",
    items="events",
    verify=_audit_trail_verify,
    log=LogSource(AuditEvent, "id", "hash", "id", "occurred_at"),
)
