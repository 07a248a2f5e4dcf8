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


@dataclass(frozen=True)
class Pruned:
    """Which of a stream's records retention purges may have deleted: every one
    up to ``through`` except ``kept`` — rows numbered below a dropped month's
    highest number that were dated in a later month (two writers crossing at
    midnight of the month's last day), which must still be there."""

    through: int = 0
    kept: frozenset[int] = frozenset()

    def allows_missing(self, seq: int) -> bool:
        return seq <= self.through and seq not in self.kept


def evidence_pruned(*, stream: str) -> Pruned:
    """What the audit chain's ``RETENTION_APPLIED`` events for ``stream`` allow
    missing (nothing if none). A row one purge kept, a later purge reaching
    past it without keeping it may have deleted."""
    purges = [
        (int(changes.get("through_seq") or 0), frozenset(changes.get("kept_seqs") or ()))
        for changes in AuditEvent.objects.filter(
            event_type=EventType.RETENTION_APPLIED, changes__stream=stream
        ).values_list("changes", flat=True)
    ]
    kept_by_some = set().union(*(kept for _through, kept in purges))
    return Pruned(
        through=max((through for through, _kept in purges), default=0),
        kept=frozenset(
            seq for seq in kept_by_some if all(seq in kept for through, kept in purges if through >= seq)
        ),
    )
