"""Verifying the transparency logs (audit.transparency) from what they sign.

A log is checked against its own rows and checkpoints, never trusted for
them: every checkpoint's signature (under the current key or one listed as
previous), every checkpoint's root against the root recomputed from the
leaves, every leaf against the row it stands for (the row's hash recomputed
from its columns), the tiles proofs are served from against the leaves, and
that no logged row is missing unless a retention purge recorded taking it.

Routine verification costs what the new entries cost: it starts from the last
verification that passed (``LogVerification``: its size, root and the compact
range of complete subtrees), checks that the log still holds that tree — a
shorter log or another root is a rollback or a rewrite — and reads only the
leaves added since. A full audit (``full=True``) starts from the first leaf;
it streams, and with ``workers`` > 1 recomputes row hashes in parallel
processes while the main process folds the tree.

What a database writer can still do unseen here is rewrite the log *and* the
verifications consistently with the signing key; the witness
(``manage.py transparency_witness``) keeps its own copy of the last
checkpoint it cosigned, outside this database, and catches that.
"""

import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import tlog
from .models import LogCheckpoint, LogLeaf, LogState, LogTile, LogVerification
from .notes import NoteError, open_checkpoint
from .selectors import Pruned, evidence_pruned
from .streams import EvidenceStream, StreamBreak
from .transparency import TILE_WIDTH, LogSource, _Tiles, log_origin, log_verifiers

# Leaves read per query: whole level-0 tiles, so a full audit compares whole tiles.
CHUNK = 80 * TILE_WIDTH


@dataclass(frozen=True)
class LogCheck:
    """One log's verification: the size it verified up to, how many leaves and
    checkpoints it read this time, and the first break."""

    stream: str
    size: int
    leaves: int
    checkpoints: int
    full: bool
    broken: StreamBreak | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict:
        broken = self.broken
        return {
            "size": self.size,
            "leaves": self.leaves,
            "checkpoints": self.checkpoints,
            "full": self.full,
            "broken": None
            if broken is None
            else {"unit": broken.unit, "id": broken.id, "reason": broken.reason},
        }


class _Broken(Exception):
    def __init__(self, unit: str, id: int, reason: str):
        self.break_ = StreamBreak(unit, id, reason)


@dataclass
class Frontier:
    """The compact range of a tree's first ``size`` leaves: the hashes of its
    complete subtrees, largest first — enough to extend the tree leaf by leaf
    and to compute its root at any size."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> None:
        self.hashes.append(leaf)
        self.size += 1
        # Each trailing 1 bit of the new size merges two equal subtrees into one.
        merged = self.size
        while merged & 1 == 0:
            right = self.hashes.pop()
            self.hashes[-1] = tlog.node_hash(self.hashes[-1], right)
            merged >>= 1

    def root(self) -> bytes:
        return tlog.fold_parts(self.hashes) if self.hashes else tlog.EMPTY_ROOT

    def dump(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def load(cls, size: int, data: bytes) -> "Frontier":
        hashes = [bytes(data[i : i + tlog.HASH_SIZE]) for i in range(0, len(data), tlog.HASH_SIZE)]
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a compact range of {size} leaves has {size.bit_count()} hashes, not {len(hashes)}"
            )
        return cls(size, hashes)


# --- Checkpoints ----------------------------------------------------------------------------


def _checkpoint_check(stream: str, checkpoint: LogCheckpoint) -> None:
    try:
        opened, _note = open_checkpoint(
            checkpoint.note, origin=log_origin(stream), keys=list(log_verifiers())
        )
    except NoteError as error:
        raise _Broken("checkpoint", checkpoint.size, f"its signed note does not verify ({error})") from None
    if opened.size != checkpoint.size or opened.root != bytes(checkpoint.root_hash):
        raise _Broken("checkpoint", checkpoint.size, "its size or root differs from what its note signs")


# --- Leaves against rows ----------------------------------------------------------------------


def _leaves(stream: str, first: int, end: int) -> Iterator[list[tuple[int, int, bytes]]]:
    """The leaves ``first`` to ``end - 1`` in chunks of (index, record seq, leaf hash)."""
    for start in range(first, end, CHUNK):
        stop = min(start + CHUNK, end)
        rows = list(
            LogLeaf.objects.filter(stream=stream, leaf_index__gte=start, leaf_index__lt=stop)
            .order_by("leaf_index")
            .values_list("leaf_index", "record_seq", "leaf_hash")
        )
        expected = start
        for index, _seq, _leaf in rows:
            if index != expected:
                raise _Broken("leaf", expected, "it is missing from the log (deleted)")
            expected += 1
        if expected != stop:
            raise _Broken("leaf", expected, "it is missing from the log (deleted)")
        yield [(index, seq, bytes(leaf)) for index, seq, leaf in rows]


def _rows_check(source: LogSource, leaves: list[tuple[int, int, bytes]], pruned: Pruned) -> None:
    """Each leaf against its row: the row is there (or was purged), its
    content still gives its hash, and its hash still gives the leaf."""
    wanted = {seq for _index, seq, _leaf in leaves}
    low, high = min(wanted), max(wanted)
    # Leaves are in row order but for late commits, so a range usually reads them
    # best (an index range scan, not 20,000 parameters); rows of other chunks are
    # dropped. A late commit far behind the others makes the range wide: then by list.
    if high - low < 2 * len(wanted):
        found = source.model.objects.filter(**{f"{source.seq_field}__range": (low, high)})
    else:
        found = source.model.objects.filter(**{f"{source.seq_field}__in": sorted(wanted)})
    rows = {
        seq: row
        for row in found.iterator(chunk_size=5000)
        if (seq := getattr(row, source.seq_field)) in wanted
    }
    # A model whose hash reads other rows recomputes a batch at once.
    batch = getattr(source.model, "compute_hashes", None)
    computed = batch(list(rows.values())) if batch else {seq: row.compute_hash() for seq, row in rows.items()}
    for index, seq, leaf in leaves:
        row = rows.get(seq)
        if row is None:
            if pruned.allows_missing(seq):
                continue
            raise _Broken("leaf", index, f"its row {seq} is missing (deleted)")
        stored = getattr(row, source.hash_field)
        if computed[seq] != stored:
            raise _Broken("leaf", index, f"row {seq}'s content does not match its hash (edited)")
        if tlog.leaf_hash(bytes.fromhex(stored)) != leaf:
            raise _Broken(
                "leaf", index, f"row {seq}'s hash is not the one logged (edited, swapped or rehashed)"
            )


def _rows_check_range(args) -> tuple[int, StreamBreak | None]:
    """A worker's share of a full audit: leaves ``first`` to ``end - 1``."""
    stream_name, first, end, pruned = args
    from .streams import evidence_stream

    source = evidence_stream(stream_name).log
    try:
        for chunk in _leaves(stream_name, first, end):
            _rows_check(source, chunk, pruned)
    except _Broken as broken:
        return first, broken.break_
    return first, None


# --- Tiles ------------------------------------------------------------------------------------


def _tiles_check(first_tile: int, level0: list[bytes], tiles: _Tiles) -> list[bytes]:
    """The level-0 tiles from ``first_tile`` hold exactly the leaves ``level0``;
    returns the root of each full one (the level-1 nodes they stand for)."""
    tiles.load((0, first_tile + i) for i in range(len(level0) // TILE_WIDTH + 1))
    return _tile_row_check(0, first_tile, level0, tiles.loaded.get)


def _tile_row_check(level: int, first_tile: int, nodes: list[bytes], stored) -> list[bytes]:
    """Tiles ``first_tile``… of ``level`` against ``nodes`` (the hashes they
    must hold, computed from the level below); the roots of the full ones."""
    parents = []
    for i in range(0, len(nodes), TILE_WIDTH):
        index, group = first_tile + i // TILE_WIDTH, nodes[i : i + TILE_WIDTH]
        if bytes(stored((level, index), b"")) != b"".join(group):
            raise _Broken("tile", index, f"a stored tile of level {level} does not hold what the log does")
        if len(group) == TILE_WIDTH:
            parents.append(tlog.root_from_leaf_hashes(group))
    return parents


def _upper_tiles_check(stream: str, nodes: list[bytes]) -> None:
    """The tiles above level 0, level by level, against the nodes computed
    from the level below (``nodes``: the roots of the full level-0 tiles).
    Streams: a batch of tiles per query, and one hash per 256 leaves kept."""
    level, batch = 1, 64 * TILE_WIDTH
    while nodes:
        parents = []
        for start in range(0, len(nodes), batch):
            first_tile = start // TILE_WIDTH
            stored = {
                (level, index): hashes
                for index, hashes in LogTile.objects.filter(
                    stream=stream,
                    level=level,
                    index__gte=first_tile,
                    index__lt=first_tile + batch // TILE_WIDTH,
                ).values_list("index", "hashes")
            }
            parents += _tile_row_check(level, first_tile, nodes[start : start + batch], stored.get)
        nodes, level = parents, level + 1


# --- The walk -------------------------------------------------------------------------------


def log_verify(stream: EvidenceStream, *, full: bool = False, workers: int = 1) -> LogCheck:
    """Verify ``stream``'s log: since the last verification that passed, or
    from the first leaf with ``full``. A verification that passes is recorded,
    so the next routine one starts there."""
    name, source = stream.name, stream.log
    last = None if full else LogVerification.objects.filter(stream=name).order_by("-size", "-id").first()
    frontier = Frontier() if last is None else Frontier.load(last.size, bytes(last.frontier))
    checkpoints = list(LogCheckpoint.objects.filter(stream=name, size__gte=frontier.size).order_by("size"))
    latest = LogCheckpoint.objects.filter(stream=name).order_by("-size").first()
    leaves_read, pool = 0, None
    try:
        if last is not None:
            _previous_check(name, last, latest)
        size = latest.size if latest else 0
        for checkpoint in checkpoints:
            _checkpoint_check(name, checkpoint)
        pruned = evidence_pruned(stream=name)
        pending = iter(checkpoints)
        checkpoint = next(pending, None)
        if checkpoint is not None and checkpoint.size == frontier.size:
            _root_check(checkpoint, frontier)
            checkpoint = next(pending, None)
        pool, results = (
            _parallel_rows_check(name, frontier.size, size, pruned, workers) if workers > 1 else (None, None)
        )
        tiles, tile_roots = _Tiles(name), []
        for chunk in _leaves(name, frontier.size, size):
            if results is None:
                _rows_check(source, chunk, pruned)
            if full:
                level0 = [leaf for _i, _s, leaf in chunk]
                if chunk[0][0] % TILE_WIDTH:
                    raise ValueError("a full audit reads whole tiles")
                tile_roots += _tiles_check(chunk[0][0] // TILE_WIDTH, level0, tiles)
                tiles.loaded.clear()
            for _index, _seq, leaf in chunk:
                frontier.append(leaf)
                while checkpoint is not None and checkpoint.size == frontier.size:
                    _root_check(checkpoint, frontier)
                    checkpoint = next(pending, None)
            leaves_read += len(chunk)
        if results is not None:
            outcomes = results.get()
            pool.join()
            for _first, broken in sorted(outcomes, key=lambda outcome: outcome[0]):
                if broken is not None:
                    raise _Broken(broken.unit, broken.id, broken.reason)
        if full:
            _upper_tiles_check(name, tile_roots)
        elif size and _Tiles(name).root(size) != bytes(latest.root_hash):
            raise _Broken("checkpoint", size, "the stored tiles give another root (proofs would fail)")
        _unlogged_check(name, source, last, full)
    except _Broken as broken:
        return LogCheck(name, frontier.size, leaves_read, len(checkpoints), full, broken.break_)
    finally:
        if pool is not None:
            pool.terminate()
    LogVerification.objects.create(
        stream=name,
        size=frontier.size,
        root_hash=frontier.root(),
        frontier=frontier.dump(),
        through_seq=LogState.objects.filter(stream=name).values_list("through_seq", flat=True).first() or 0,
        full=full,
        verified_at=timezone.now(),
    )
    return LogCheck(name, frontier.size, leaves_read, len(checkpoints), full)


def _previous_check(name: str, last: LogVerification, latest: LogCheckpoint | None) -> None:
    """The log still holds the tree the last verification saw."""
    size = latest.size if latest else 0
    if size < last.size:
        raise _Broken(
            "log",
            size,
            f"the log is shorter than the {last.size} leaves verified at "
            f"{last.verified_at.isoformat(timespec='minutes')} "
            "(rolled back or truncated)",
        )
    if last.size == 0:
        return
    seen = LogCheckpoint.objects.filter(stream=name, size=last.size).first()
    if seen is None or bytes(seen.root_hash) != bytes(last.root_hash):
        raise _Broken(
            "checkpoint", last.size, "the checkpoint verified earlier is gone or has another root (rewritten)"
        )


def _root_check(checkpoint: LogCheckpoint, frontier: Frontier) -> None:
    if frontier.root() != bytes(checkpoint.root_hash):
        raise _Broken(
            "checkpoint", checkpoint.size, "its root is not the root of the logged leaves (rewritten)"
        )


def _unlogged_check(name: str, source: LogSource, last: LogVerification | None, full: bool) -> None:
    """No row at or below the integrated point is missing from the log (a row
    inserted behind it), save those still inside the late-commit window."""
    state = LogState.objects.filter(stream=name).first()
    if state is None:
        return
    rows = source.rows().filter(**{f"{source.seq_field}__lte": state.through_seq})
    if not full and last is not None:
        rows = rows.filter(**{f"{source.seq_field}__gt": last.through_seq})
    logged = LogLeaf.objects.filter(stream=name)
    stray = (
        rows.exclude(Exists(logged.filter(record_seq=OuterRef(source.seq_field))))
        .values_list(source.seq_field, flat=True)
        .first()
    )
    if stray is not None:
        raise _Broken("row", stray, "it is in the table but not in the log (inserted behind the log)")


def _parallel_rows_check(name: str, first: int, end: int, pruned: Pruned, workers: int):
    """Start checking the rows of leaves ``first`` to ``end - 1`` in ``workers``
    processes; the caller collects the result after its own walk."""
    connections.close_all()  # a forked process must not share this one's connections
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=connections.close_all)
    step = CHUNK * 5
    jobs = [(name, start, min(start + step, end), pruned) for start in range(first, end, step)]
    result = pool.map_async(_rows_check_range, jobs)
    pool.close()
    return pool, result


def logs_verify(streams: list[EvidenceStream], *, full: bool = False, workers: int = 1) -> list[LogCheck]:
    return [log_verify(stream, full=full, workers=workers) for stream in streams if stream.log is not None]
