"""Evidence streams as transparency logs (DESIGN.md, "Anchoring"): each stream
is an append-only Merkle log (RFC 6962 hashing, audit.tlog) whose state is
published as signed checkpoints (C2SP, audit.notes), with inclusion and
consistency proofs read from stored tiles, as Certificate Transparency,
Go's checksum database and Tessera do.

A stream's rows are its *source* (``LogSource``: the model, its ordering
column and its row hash). The integrator appends committed rows to the log in
batches: it reads only rows above ``LogState.through_seq`` — never the
history — waits a bounded time for row numbers taken by transactions that
have not committed yet, writes the leaves and the tiles they change, and
signs a checkpoint of the new size, all in one transaction. A leaf is
``SHA-256(0x00 || row hash)``: anyone holding a row's content recomputes its
row hash, its leaf and, with a proof, the signed root.
"""

import base64
import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from . import tlog
from .models import LogCheckpoint, LogCosignature, LogLeaf, LogState, LogTile
from .notes import COSIGNATURE_V1, Checkpoint, Note, NoteError, SignerKey, VerifierKey, sign_note

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
BATCH_SIZE = 10_000


class LogCorrupt(RuntimeError):
    """The stored tiles cannot answer for a range the log claims to hold."""


@dataclass(frozen=True)
class LogSource:
    """Where a log's entries come from: ``model`` rows in ``seq_field`` order,
    each entered as the 32-byte value of its hex ``hash_field``; receipts and
    proofs name a row by its ``id_field``, and ``owner_field`` is the subject
    key of the person a row is about (who may download its receipt), and
    ``time_field`` when it was written (how long a row has waited for the log:
    audit.transparency.log_backlog). The model's ``hashed_content()`` is what
    its hash covers."""

    model: type[models.Model]
    seq_field: str
    hash_field: str
    id_field: str
    time_field: str
    owner_field: str = "subject_key"

    def rows(self) -> models.QuerySet:
        return self.model.objects.order_by(self.seq_field)

    def record_id(self, text: str):
        """The id a receipt shows, parsed; None when it cannot name a row."""
        try:
            value = self.model._meta.get_field(self.id_field).to_python(text)
        except ValidationError:
            return None
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            return None  # no row has it, and the database would refuse the number
        return value


# --- Keys and checkpoints -------------------------------------------------------------


@cache
def log_signer() -> SignerKey:
    """The key that signs checkpoints: TRANSPARENCY_SIGNING_KEY, or locally a
    key derived from SECRET_KEY (the production profile requires the setting)."""
    if settings.TRANSPARENCY_SIGNING_KEY:
        return SignerKey.parse(settings.TRANSPARENCY_SIGNING_KEY)
    seed = hashlib.sha256(b"icentrex transparency log key\0" + settings.SECRET_KEY.encode()).digest()
    return SignerKey.from_seed(settings.TRANSPARENCY_LOG_NAME, seed)


@cache
def log_verifiers() -> tuple[VerifierKey, ...]:
    """Every key a checkpoint of ours may carry: the current one first, then
    the earlier ones still listed after a rotation."""
    return (log_signer().verifier, *(VerifierKey.parse(key) for key in settings.TRANSPARENCY_PREVIOUS_KEYS))


def log_origin(stream: str) -> str:
    return f"{settings.TRANSPARENCY_LOG_NAME}/transparency/{stream}"


def _checkpoint_sign(stream: str, size: int, root: bytes) -> LogCheckpoint:
    note = sign_note(Checkpoint(log_origin(stream), size, root).text(), log_signer())
    return LogCheckpoint.objects.create(
        stream=stream, size=size, root_hash=root, note=str(note), created_at=timezone.now()
    )


# --- Tiles --------------------------------------------------------------------------------


def _tile_address(start: int, end: int) -> tuple[int, int, int, int]:
    """Where the complete node ``(start, end)`` is computed from: the tile
    (level, index) holding its 2**r children at that tile level, the offset
    of the first, and r."""
    height = (end - start).bit_length() - 1
    level, below = divmod(height, TILE_HEIGHT)
    first = start >> (level * TILE_HEIGHT)
    return level, first // TILE_WIDTH, first % TILE_WIDTH, below


class _Tiles:
    """The tiles of one log read for one operation, each fetched once."""

    def __init__(self, stream: str):
        self.stream = stream
        self.loaded: dict[tuple[int, int], bytes] = {}

    def load(self, addresses: Iterable[tuple[int, int]]) -> None:
        by_level = defaultdict(set)
        for level, index in addresses:
            if (level, index) not in self.loaded:
                by_level[level].add(index)
        if not by_level:
            return
        wanted = Q()
        for level, indexes in by_level.items():
            wanted |= Q(level=level, index__in=indexes)
        for level, index, hashes in LogTile.objects.filter(wanted, stream=self.stream).values_list(
            "level", "index", "hashes"
        ):
            self.loaded[level, index] = bytes(hashes)
        for level, indexes in by_level.items():
            for index in indexes:
                self.loaded.setdefault((level, index), b"")

    def complete_hash(self, start: int, end: int) -> bytes:
        level, index, offset, below = _tile_address(start, end)
        self.load([(level, index)])
        count = 1 << below
        chunk = self.loaded[level, index][offset * tlog.HASH_SIZE : (offset + count) * tlog.HASH_SIZE]
        if len(chunk) != count * tlog.HASH_SIZE:
            raise LogCorrupt(f"the {self.stream} log has no tile for leaves {start}-{end - 1}")
        return tlog.root_from_leaf_hashes([chunk[i : i + 32] for i in range(0, len(chunk), 32)])

    def range_hashes(self, ranges: list[tlog.Range]) -> list[bytes]:
        """The hashes of ``ranges``, with every tile they need fetched in one query."""
        parts = [part for start, end in ranges for part in tlog.complete_parts(start, end)]
        self.load(_tile_address(start, end)[:2] for start, end in parts)
        return [tlog.range_hash(start, end, self.complete_hash) for start, end in ranges]

    def root(self, size: int) -> bytes:
        return self.range_hashes([(0, size)])[0] if size else tlog.EMPTY_ROOT

    def append(self, size: int, leaf_hashes: list[bytes]) -> None:
        """Add leaves to a log of ``size`` leaves: fill the edge tile of level
        0, and each tile that fills gives its parent level one node."""
        nodes, level, before = leaf_hashes, 0, size
        changed: dict[tuple[int, int], bytes] = {}
        while nodes:
            index = before // TILE_WIDTH
            self.load([(level, index)])
            tile = bytearray(self.loaded[level, index])
            if len(tile) != (before % TILE_WIDTH) * tlog.HASH_SIZE:
                raise LogCorrupt(f"the {self.stream} log's edge tile {level}/{index} has the wrong width")
            parents = []
            for node in nodes:
                tile += node
                if len(tile) == TILE_WIDTH * tlog.HASH_SIZE:
                    changed[level, index] = self.loaded[level, index] = bytes(tile)
                    parents.append(
                        tlog.root_from_leaf_hashes([tile[i : i + 32] for i in range(0, len(tile), 32)])
                    )
                    index += 1
                    tile = bytearray()
                    self.loaded[level, index] = b""
            if tile:
                changed[level, index] = self.loaded[level, index] = bytes(tile)
            nodes, level, before = parents, level + 1, before // TILE_WIDTH
        LogTile.objects.bulk_create(
            [LogTile(stream=self.stream, level=lv, index=ix, hashes=h) for (lv, ix), h in changed.items()],
            update_conflicts=True,
            unique_fields=["stream", "level", "index"],
            update_fields=["hashes"],
        )


# --- Integration ------------------------------------------------------------------------


def _gaps_after(through: int, present: list[int], known: list, now: float, grace: float):
    """Advance ``through`` over the contiguous row numbers in ``present``
    (sorted, all above it); return it and the gaps still waited for, each
    ``[first, last, first seen]``. A gap seen more than ``grace`` seconds ago
    is given up: its numbers were rolled back (or, if one commits after all,
    it is a straggler for the sweep)."""
    seen = {(first, last): since for first, last, since in known}
    gaps, at = [], through + 1
    for seq in present:
        if seq > at:
            earliest = min(
                (since for (first, last), since in seen.items() if first <= seq - 1 and last >= at),
                default=now,
            )
            gaps.append([at, seq - 1, earliest])
        at = seq + 1
    waiting = [gap for gap in gaps if now - gap[2] < grace]
    if waiting:
        return waiting[0][0] - 1, [gap for gap in gaps if gap[0] >= waiting[0][0]]
    return (present[-1] if present else through), []


def _leaves_insert(stream: str, first_index: int, seqs: list[int], leaves: list[bytes]) -> None:
    """The new leaves, on PostgreSQL with COPY: the integrator runs beside the
    consent write under full load, and building a model per leaf cost it more
    than the database did."""
    if connection.vendor != "postgresql":
        LogLeaf.objects.bulk_create(
            LogLeaf(stream=stream, leaf_index=first_index + i, record_seq=seq, leaf_hash=leaf)
            for i, (seq, leaf) in enumerate(zip(seqs, leaves, strict=True))
        )
        return
    with (
        connection.cursor() as cursor,
        cursor.copy("COPY audit_logleaf (stream, leaf_index, record_seq, leaf_hash) FROM STDIN") as copy,
    ):
        for i, (seq, leaf) in enumerate(zip(seqs, leaves, strict=True)):
            copy.write_row((stream, first_index + i, seq, leaf))


def log_integrate(
    stream: str, source: LogSource, *, batch_size: int = BATCH_SIZE, sweep: bool = False
) -> int | None:
    """Append up to ``batch_size`` committed rows of ``source`` that the log
    does not hold yet, and sign a checkpoint of the new size. Returns how many
    leaves were added (0: nothing new), or None when another integrator holds
    the stream. Reads only rows above ``through_seq`` (plus the rows already
    logged above it, few: those past a gap); with ``sweep`` it also looks
    below, for a row that committed after its gap was given up."""
    LogState.objects.get_or_create(stream=stream)
    seq, row_hash = source.seq_field, source.hash_field
    with transaction.atomic():
        state = LogState.objects.select_for_update(skip_locked=True).filter(stream=stream).first()
        if state is None:
            return None
        if state.size == 0 and state.through_seq == 0:
            # A new log starts at the lowest row there is: numbers below it were used
            # by rolled-back transactions, or by rows a retention purge deleted.
            lowest = source.rows().values_list(seq, flat=True).first()
            state.through_seq = lowest - 1 if lowest else 0
        pending = source.rows().exclude(
            Exists(LogLeaf.objects.filter(stream=stream, record_seq=OuterRef(seq)))
        )
        if not sweep:
            pending = pending.filter(**{f"{seq}__gt": state.through_seq})
        rows = list(pending.values_list(seq, row_hash)[:batch_size])
        if rows:
            leaves = [tlog.leaf_hash(bytes.fromhex(value)) for _seq, value in rows]
            _leaves_insert(stream, state.size, [number for number, _value in rows], leaves)
            tiles = _Tiles(stream)
            tiles.append(state.size, leaves)
            state.size += len(rows)
            _checkpoint_sign(stream, state.size, tiles.root(state.size))
        present = list(
            LogLeaf.objects.filter(stream=stream, record_seq__gt=state.through_seq)
            .order_by("record_seq")
            .values_list("record_seq", flat=True)
        )
        state.through_seq, state.gaps = _gaps_after(
            state.through_seq,
            present,
            state.gaps,
            time.time(),
            settings.TRANSPARENCY_LATE_COMMIT_GRACE_SECONDS,
        )
        state.save()
    return len(rows)


def log_integrate_all(
    stream: str, source: LogSource, *, sweep: bool = False, batch_size: int = BATCH_SIZE
) -> int:
    """Integrate what is pending: batch after batch while they come back full
    (a backlog), and stop at the first that is not — what commits meanwhile
    waits for the next run, so under steady load the integrator signs one
    checkpoint per interval (batching by count or time, as Tessera does)
    instead of spinning. How many leaves were added."""
    added = 0
    while batch := log_integrate(stream, source, sweep=sweep, batch_size=batch_size):
        added += batch
        sweep = False  # the sweep's stragglers are in; what is left is above through_seq
        if batch < batch_size:
            break
    return added


# --- Reading the log --------------------------------------------------------------------


@dataclass(frozen=True)
class LogBacklog:
    """What a stream has written that its log does not hold yet: how many rows
    (counted up to ``BACKLOG_COUNT_CAP``; None when not counted) and when the
    oldest was written."""

    pending: int | None
    oldest_written_at: datetime | None

    def oldest_age_seconds(self, now: datetime) -> float:
        if self.oldest_written_at is None:
            return 0.0
        return max(0.0, (now - self.oldest_written_at).total_seconds())


# A dead integrator lets the backlog grow without bound; counting it all on
# every scrape would cost more the worse things are (about 0.35 µs a row).
BACKLOG_COUNT_CAP = 100_000


def log_backlog(
    stream: str, source: LogSource, *, through_seq: int | None = None, count: bool = True
) -> LogBacklog:
    """Rows above the stream's ``through_seq`` that have no leaf: the few past a
    gap are already logged, everything else is waiting. The oldest is one index
    read; counting them (``count``) reads up to ``BACKLOG_COUNT_CAP`` of them
    (``through_seq`` can be passed when the caller read every LogState at once)."""
    if through_seq is None:
        state = LogState.objects.filter(stream=stream).values_list("through_seq", flat=True)
        through_seq = state.first() or 0
    seq = source.seq_field
    waiting = (
        source.rows()
        .filter(**{f"{seq}__gt": through_seq})
        .exclude(Exists(LogLeaf.objects.filter(stream=stream, record_seq=OuterRef(seq))))
    )
    oldest = waiting.values_list(source.time_field, flat=True).first()
    if oldest is None:
        return LogBacklog(0, None)
    pending = waiting.values(seq)[:BACKLOG_COUNT_CAP].count() if count else None
    return LogBacklog(pending, oldest)


def log_size(stream: str) -> int:
    return LogCheckpoint.objects.filter(stream=stream).aggregate(size=models.Max("size"))["size"] or 0


def log_checkpoint(stream: str, size: int | None = None) -> LogCheckpoint | None:
    """The latest signed checkpoint (or the one of ``size``), None if there is none."""
    checkpoints = LogCheckpoint.objects.filter(stream=stream)
    if size is not None:
        return checkpoints.filter(size=size).first()
    return checkpoints.order_by("-size").first()


def log_leaf(stream: str, *, leaf_index: int | None = None, record_seq: int | None = None) -> LogLeaf | None:
    leaves = LogLeaf.objects.filter(stream=stream)
    if leaf_index is not None:
        return leaves.filter(leaf_index=leaf_index).first()
    return leaves.filter(record_seq=record_seq).first()


def log_leaf_of_record(stream: str, source: LogSource, record_id) -> tuple[LogLeaf, str] | None:
    """The leaf of the row named ``record_id`` and the row's hash; None when
    there is no such row or it is not in the log yet."""
    row = source.model.objects.filter(**{source.id_field: record_id}).values_list(
        source.seq_field, source.hash_field
    )
    found = row.first()
    if found is None:
        return None
    leaf = log_leaf(stream, record_seq=found[0])
    return None if leaf is None else (leaf, found[1])


def log_inclusion_proof(stream: str, *, leaf_index: int, size: int) -> list[bytes]:
    """The hashes proving leaf ``leaf_index`` is in the tree of ``size``
    leaves, from the stored tiles (tlog.ProofError for an index outside it)."""
    return _Tiles(stream).range_hashes(tlog.inclusion_ranges(leaf_index, size))


def log_consistency_proof(stream: str, *, first: int, second: int) -> list[bytes]:
    return _Tiles(stream).range_hashes(tlog.consistency_ranges(first, second))


def log_root(stream: str, size: int) -> bytes:
    return _Tiles(stream).root(size)


def log_receipt_proof(stream: str, record_seq: int) -> dict | None:
    """What a receipt carries so its holder can check it alone
    (bin/icentrex-verify.py, or the receipt page in the browser): the row's
    leaf, its inclusion proof and the latest signed checkpoint, cosignatures
    included; None while the row is not in a checkpoint yet (seconds)."""
    leaf = log_leaf(stream, record_seq=record_seq)
    checkpoint = log_checkpoint(stream)
    if leaf is None or checkpoint is None or leaf.leaf_index >= checkpoint.size:
        return None
    proof = log_inclusion_proof(stream, leaf_index=leaf.leaf_index, size=checkpoint.size)
    encode = lambda value: base64.b64encode(value).decode()  # noqa: E731
    site = settings.SITE_URL.rstrip("/")
    return {
        "stream": stream,
        "origin": log_origin(stream),
        "leaf_index": leaf.leaf_index,
        "tree_size": checkpoint.size,
        "leaf_hash": encode(bytes(leaf.leaf_hash)),
        "inclusion_proof": [encode(node) for node in proof],
        "checkpoint": log_published_note(checkpoint),
        "keys_url": site + reverse("transparency_keys"),
        "verifier_url": site + reverse("transparency_verifier"),
    }


def log_evidence_receipt(stream: str, source: LogSource, row) -> dict:
    """A receipt for any logged row: its hashed content, its hash, and once
    logged its proof — what bin/icentrex-verify.py checks."""
    proof = log_receipt_proof(stream, getattr(row, source.seq_field))
    return {
        "stream": stream,
        "record": str(getattr(row, source.id_field)),
        "content": row.hashed_content(),
        # A chained row (the audit trail) hashes its content with the hash before it.
        "prev": getattr(row, "prev_hash", ""),
        "record_hash": getattr(row, source.hash_field),
        "sealed": proof is not None,
        "proof": proof,
    }


# --- Witnesses ------------------------------------------------------------------------------


class CosignatureRejected(ValueError):
    """A cosignature we do not keep; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


@cache
def log_witnesses() -> tuple[VerifierKey, ...]:
    """The witnesses whose cosignatures we publish (TRANSPARENCY_WITNESSES)."""
    keys = tuple(VerifierKey.parse(key) for key in settings.TRANSPARENCY_WITNESSES)
    if any(key.algorithm != COSIGNATURE_V1 for key in keys):
        raise ValueError("TRANSPARENCY_WITNESSES lists cosignature/v1 keys (a witness prints its own)")
    return keys


def log_cosignature_add(stream: str, message: str) -> list[LogCosignature]:
    """Keep the cosignatures of known witnesses on one of our checkpoints,
    sent as the checkpoint's text with their signature lines. Idempotent: a
    witness's cosignature of a size is kept once."""
    try:
        note = Note.parse(message)
        checkpoint = Checkpoint.parse(note.text)
    except NoteError as error:
        raise CosignatureRejected(400, f"Not a cosigned checkpoint: {error}.") from None
    ours = log_checkpoint(stream, checkpoint.size)
    if ours is None or Note.parse(ours.note).text != note.text:
        raise CosignatureRejected(404, "We signed no such checkpoint.")
    valid = [(key, note.signed_by(key)) for key in log_witnesses()]
    valid = [(key, signature) for key, signature in valid if signature is not None]
    if not valid:
        raise CosignatureRejected(403, "No valid cosignature of a witness listed in TRANSPARENCY_WITNESSES.")
    kept = []
    for key, signature in valid:
        cosignature, _created = LogCosignature.objects.get_or_create(
            stream=stream,
            size=checkpoint.size,
            witness=str(key),
            defaults={"line": signature.line(), "received_at": timezone.now()},
        )
        kept.append(cosignature)
    return kept


def log_published_note(checkpoint: LogCheckpoint) -> str:
    """The checkpoint as published: our signed note with the witnesses'
    cosignature lines added (c2sp.org/tlog-cosignature)."""
    lines = LogCosignature.objects.filter(stream=checkpoint.stream, size=checkpoint.size).order_by("witness")
    return checkpoint.note + "".join(line for line in lines.values_list("line", flat=True))
