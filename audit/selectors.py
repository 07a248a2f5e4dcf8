from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from subjects.services import Unsealer

from .events import EventType
from .evidence import GENESIS_HASH
from .models import AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def audit_chain_verify(*, chunk_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in id order; return how many rows were checked and the
    first broken row (or None when the whole chain verifies)."""
    expected_prev = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        checked += 1
        if event.prev_hash != expected_prev:
            return checked, ChainBreak(
                event.id,
                "its previous-hash link does not match the row before it "
                "(a row before it was deleted, inserted or reordered)",
            )
        if event.compute_hash() != event.hash:
            return checked, ChainBreak(event.id, "its content does not match its hash (edited)")
        expected_prev = event.hash
    return checked, None


def audit_events_for_subject(*, subject_key) -> QuerySet[AuditEvent]:
    """Events about a person or done by them, newest first."""
    return AuditEvent.objects.filter(Q(subject_key=subject_key) | Q(actor_subject=subject_key))


def audit_events_readable(events) -> Iterator[tuple[AuditEvent, dict | None]]:
    """Each event with its personal values decrypted (None once the person is erased)."""
    unseal = Unsealer()
    for event in events:
        yield event, unseal(subject_key=event.subject_key, token=event.sealed_changes)


def evidence_pruned_through(*, stream: str) -> int:
    """How far a retention purge deleted a sealed stream's records (the
    highest ``through_seq`` the audit chain recorded for it); 0 if never."""
    marks = AuditEvent.objects.filter(
        event_type=EventType.RETENTION_APPLIED, changes__stream=stream
    ).values_list("changes__through_seq", flat=True)
    return max((int(mark) for mark in marks if mark), default=0)
