"""Batch sealing for high-volume evidence streams (DESIGN.md): inserts stay
plain inserts; a periodic job seals the committed rows no seal covers yet with
the Merkle root of their hashes, chained to the previous seal, as Certificate
Transparency logs do.

A stream has three models: records (``seq`` ordering, ``record_hash``, and
``compute_hash()``), seals (``SealBase``) and entries (``SealEntryBase``, one
leaf per record, its ``record_seq`` a plain column so a deleted record shows up
as a missing leaf).

The chain itself (``ChainedSealBase``, ``seal_lock``, ``seal_chain_append``,
``seal_link_break``, ``seal_hash_break``) is shared with streams whose batches
are not "the rows since the last seal": policy notices seal one finished run
at a time (policies.streams says why)."""

from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef

from audit.merkle import merkle_root

from .evidence import GENESIS_HASH, AppendOnlyModel, content_hash
from .selectors import Pruned


class ChainedSealBase(AppendOnlyModel):
    """One link of a stream's seal chain: a Merkle root over a batch of the
    stream's rows, and a hash over ``chained_content()`` and the previous
    seal's hash. Each kind of seal says what its hash covers."""

    sealed_at = models.DateTimeField(auto_now_add=True)
    merkle_root = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def chained_content(self) -> dict:
        raise NotImplementedError

    def compute_hash(self) -> str:
        return content_hash(self.chained_content(), self.prev_hash)


class SealBase(ChainedSealBase):
    record_count = models.PositiveIntegerField()

    class Meta(ChainedSealBase.Meta):
        abstract = True

    def chained_content(self) -> dict:
        return {"merkle_root": self.merkle_root, "count": self.record_count}


class SealEntryBase(AppendOnlyModel):
    record_seq = models.BigIntegerField(unique=True)
    leaf_hash = models.CharField(max_length=64)

    class Meta:
        abstract = True
        ordering = ["record_seq"]


@dataclass(frozen=True)
class SealBreak:
    seal_id: int
    reason: str


def seal_lock(lock_id: int) -> None:
    """One sealer at a time per stream, so its chain stays linear: a
    transaction-scoped advisory lock on PostgreSQL (call inside ``atomic``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def seal_chain_append(seal_model, **fields):
    """Write the next seal of a chain, linked to the last one (the caller holds
    the stream's ``seal_lock``)."""
    seal = seal_model(
        prev_hash=seal_model.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH,
        **fields,
    )
    seal.hash = seal.compute_hash()
    seal.save()
    return seal


def seal_link_break(seal, expected_prev: str) -> SealBreak | None:
    if seal.prev_hash != expected_prev:
        return SealBreak(seal.id, "its link to the previous seal is broken")
    return None


def seal_hash_break(seal) -> SealBreak | None:
    if seal.compute_hash() != seal.hash:
        return SealBreak(seal.id, "its own hash does not match")
    return None


def seal_pending(*, record_model, seal_model, entry_model, lock_id: int, batch_size: int = 10_000):
    """Seal up to ``batch_size`` committed, unsealed records; None if there were
    none. One sealer at a time per stream (advisory lock on PostgreSQL)."""
    with transaction.atomic():
        seal_lock(lock_id)
        unsealed = list(
            record_model.objects.filter(~Exists(entry_model.objects.filter(record_seq=OuterRef("seq"))))
            .order_by("seq")
            .values_list("seq", "record_hash")[:batch_size]
        )
        if not unsealed:
            return None
        seal = seal_chain_append(
            seal_model, record_count=len(unsealed), merkle_root=merkle_root([leaf for _seq, leaf in unsealed])
        )
        entry_model.objects.bulk_create(
            [entry_model(seal=seal, record_seq=seq, leaf_hash=leaf) for seq, leaf in unsealed]
        )
    return seal


def seals_verify(
    *, record_model, seal_model, pruned: Pruned | None = None
) -> tuple[int, int, SealBreak | None]:
    """Check every seal of a stream: its chain link, its Merkle root over its
    entries, and that each sealed record still exists unchanged. A record
    ``pruned`` allows may be missing: a retention purge (recorded in the audit
    chain) deleted it, and its leaf still stands in the seal. Returns
    (seals checked, records checked, first break or None)."""
    expected_prev, seals, records = GENESIS_HASH, 0, 0
    for seal in seal_model.objects.order_by("id").iterator(chunk_size=200):
        seals += 1
        if broken := seal_link_break(seal, expected_prev):
            return seals, records, broken
        entries = list(seal.entries.order_by("record_seq").values_list("record_seq", "leaf_hash"))
        if (
            len(entries) != seal.record_count
            or merkle_root([leaf for _s, leaf in entries]) != seal.merkle_root
        ):
            return seals, records, SealBreak(seal.id, "its entries do not match its Merkle root")
        if broken := seal_hash_break(seal):
            return seals, records, broken
        stored = {r.seq: r for r in record_model.objects.filter(seq__in=[seq for seq, _leaf in entries])}
        for seq, leaf in entries:
            record = stored.get(seq)
            if record is None:
                if pruned is not None and pruned.allows_missing(seq):
                    continue
                return seals, records, SealBreak(seal.id, f"sealed record #{seq} was deleted")
            if record.compute_hash() != leaf or record.record_hash != leaf:
                return seals, records, SealBreak(seal.id, f"sealed record #{seq} was edited or moved")
            records += 1
        expected_prev = seal.hash
    return seals, records, None
