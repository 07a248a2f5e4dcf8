"""Evidence streams as transparency logs (audit.transparency): integration
reads only what is new, waits a bounded time for late commits, keeps tiles
from which every root and proof is read, and signs a checkpoint per size."""

import random
import threading
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit import tlog
from audit.models import LogCheckpoint, LogLeaf, LogState, LogTile
from audit.notes import open_checkpoint
from audit.streams import evidence_stream
from audit.transparency import (
    _gaps_after,
    _Tiles,
    log_checkpoint,
    log_consistency_proof,
    log_inclusion_proof,
    log_integrate,
    log_integrate_all,
    log_origin,
    log_verifiers,
)
from consent import services
from consent.models import ConsentRecord
from cookies.selectors import current_revision

pytestmark = pytest.mark.django_db
SIGNALS = {"gpc": None, "dnt": None, "ip_prefix": "", "ua_family": "", "ua_version": "", "origin": ""}
CONSENT = evidence_stream("consent").log


def record() -> ConsentRecord:
    return services.consent_record(
        subject_key=uuid.uuid4(),
        subject_type="visitor",
        method="banner_accept_all",
        revision_hash=current_revision().content_hash,
        signals=SIGNALS,
    )


def opened(stream: str, size: int | None = None):
    checkpoint = log_checkpoint(stream, size)
    return open_checkpoint(checkpoint.note, origin=log_origin(stream), keys=list(log_verifiers()))[0]


def test_new_records_are_logged_under_a_signed_checkpoint_that_proves_each_of_them():
    records = [record() for _ in range(7)]
    assert log_integrate("consent", CONSENT) == 7
    checkpoint = opened("consent")
    assert checkpoint.size == 7
    leaves = [tlog.leaf_hash(bytes.fromhex(r.record_hash)) for r in records]
    assert checkpoint.root == tlog.root_from_leaf_hashes(leaves)
    for index, leaf in enumerate(leaves):
        proof = log_inclusion_proof("consent", leaf_index=index, size=7)
        tlog.verify_inclusion(leaf=leaf, index=index, size=7, proof=proof, root=checkpoint.root)
    assert log_integrate("consent", CONSENT) == 0  # nothing new: no new checkpoint
    assert LogCheckpoint.objects.filter(stream="consent").count() == 1

    more = [record() for _ in range(3)]
    assert log_integrate("consent", CONSENT) == 3
    later = opened("consent")
    assert later.size == 10
    tlog.verify_consistency(
        first=7,
        second=10,
        first_root=checkpoint.root,
        second_root=later.root,
        proof=log_consistency_proof("consent", first=7, second=10),
    )
    assert list(
        LogLeaf.objects.filter(stream="consent").order_by("leaf_index").values_list("record_seq", flat=True)
    ) == [r.seq for r in records + more]


def test_tiles_answer_for_every_root_and_proof_across_tile_levels():
    """Two levels of 256-wide tiles (over 65,536 leaves), appended in batches of
    odd sizes: every checkpoint root and random proofs match the reference."""
    rng = random.Random(256)
    leaves = [tlog.leaf_hash(i.to_bytes(4, "big")) for i in range(70_000)]
    tiles, size, roots = _Tiles("synthetic"), 0, {}
    while size < len(leaves):
        batch = min(rng.choice([1, 7, 255, 256, 257, 3000, 9001]), len(leaves) - size)
        tiles.append(size, leaves[size : size + batch])
        size += batch
        roots[size] = _Tiles("synthetic").root(size)
    assert LogTile.objects.filter(stream="synthetic", level=2).exists()
    for checked_size in rng.sample(sorted(roots), 12) + [len(leaves)]:
        assert roots[checked_size] == tlog.root_from_leaf_hashes(leaves[:checked_size])
    root = roots[len(leaves)]
    for index in rng.sample(range(len(leaves)), 40) + [0, 65_535, 65_536, len(leaves) - 1]:
        proof = log_inclusion_proof("synthetic", leaf_index=index, size=len(leaves))
        tlog.verify_inclusion(leaf=leaves[index], index=index, size=len(leaves), proof=proof, root=root)
    for first in rng.sample(sorted(roots), 10):
        proof = log_consistency_proof("synthetic", first=first, second=len(leaves))
        tlog.verify_consistency(
            first=first, second=len(leaves), first_root=roots[first], second_root=root, proof=proof
        )


def test_a_proof_is_one_query_whatever_the_log_size():
    leaves = [tlog.leaf_hash(i.to_bytes(4, "big")) for i in range(5000)]
    _Tiles("synthetic").append(0, leaves)
    with CaptureQueriesContext(connection) as queries:
        log_inclusion_proof("synthetic", leaf_index=1234, size=5000)
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        log_consistency_proof("synthetic", first=777, second=5000)
    assert len(queries) == 1


def test_integration_reads_only_rows_above_what_it_has_logged():
    for _ in range(5):
        record()
    log_integrate("consent", CONSENT)
    state = LogState.objects.get(stream="consent")
    assert state.through_seq == ConsentRecord.objects.order_by("-seq").first().seq and state.gaps == []
    with CaptureQueriesContext(connection) as queries:
        assert log_integrate("consent", CONSENT) == 0
    source_reads = [q["sql"] for q in queries if "consent_consentrecord" in q["sql"]]
    assert len(source_reads) == 1 and '"seq" >' in source_reads[0]


@pytest.mark.parametrize(
    ("through", "present", "known", "now", "expected"),
    [
        (0, [], [], 100, (0, [])),
        (0, [1, 2, 3], [], 100, (3, [])),
        (3, [5, 6], [], 100, (3, [[4, 4, 100]])),  # 4 not committed yet: wait for it
        (3, [5, 6], [[4, 4, 50]], 100, (3, [[4, 4, 50]])),  # still within the grace
        (3, [5, 6], [[4, 4, 10]], 100, (6, [])),  # given up after the grace
        (3, [4, 5, 6], [[4, 4, 50]], 100, (6, [])),  # it committed
        # The first gap given up, the second still waited for.
        (3, [5, 8], [[4, 4, 10], [6, 7, 90]], 100, (5, [[6, 7, 90]])),
        # A gap partly filled keeps the time its whole was first seen.
        (3, [5, 7], [[4, 6, 60]], 100, (3, [[4, 4, 60], [6, 6, 60]])),
    ],
)
def test_gaps_are_waited_for_then_given_up(through, present, known, now, expected):
    assert _gaps_after(through, present, known, now, grace=60) == expected


def _insert_and_wait(started: threading.Event, release: threading.Event, inserted: list):
    try:
        with transaction.atomic():
            inserted.append(record())
            started.set()
            release.wait(timeout=30)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_record_that_commits_late_is_still_logged(settings):
    """A record takes its number, and a later one commits first: the log waits
    for the gap instead of skipping it; once given up (after the grace), a
    late commit is found by the sweep."""
    record()
    log_integrate("consent", CONSENT)  # the log has started
    started, release, inserted = threading.Event(), threading.Event(), []
    slow = threading.Thread(target=_insert_and_wait, args=(started, release, inserted))
    slow.start()
    assert started.wait(timeout=30)
    quick = record()
    assert log_integrate("consent", CONSENT) == 1
    state = LogState.objects.get(stream="consent")
    late_seq = inserted[0].seq
    assert (
        late_seq < quick.seq
        and state.through_seq == late_seq - 1
        and state.gaps[0][:2] == [late_seq, late_seq]
    )
    release.set()
    slow.join()
    assert log_integrate("consent", CONSENT) == 1
    assert LogLeaf.objects.get(stream="consent", record_seq=late_seq).leaf_index == 2
    assert LogState.objects.get(stream="consent").through_seq == quick.seq

    # Given up: a transaction still open after the grace commits behind the log's back.
    settings.TRANSPARENCY_LATE_COMMIT_GRACE_SECONDS = 0
    started, release, inserted = threading.Event(), threading.Event(), []
    slow = threading.Thread(target=_insert_and_wait, args=(started, release, inserted))
    slow.start()
    assert started.wait(timeout=30)
    record()
    assert log_integrate("consent", CONSENT) == 1
    release.set()
    slow.join()
    assert log_integrate("consent", CONSENT) == 0  # below through_seq: not looked at routinely
    assert log_integrate_all("consent", CONSENT, sweep=True) == 1
    assert LogLeaf.objects.filter(stream="consent", record_seq=inserted[0].seq).exists()
    assert opened("consent").size == 5


@pytest.mark.django_db(transaction=True)
def test_one_integrator_at_a_time_the_other_steps_aside():
    record()
    log_integrate("consent", CONSENT)
    record()
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                LogState.objects.select_for_update().get(stream="consent")
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(timeout=30)
    try:
        assert log_integrate("consent", CONSENT) is None
    finally:
        release.set()
        holder.join()
    assert log_integrate("consent", CONSENT) == 1


def test_every_stream_with_a_log_integrates(django_capture_on_commit_callbacks):
    from audit.streams import logged_streams

    assert {stream.name for stream in logged_streams()} == {
        "audit",
        "consent",
        "disclosures",
        "notices",
        "sharing",
        "subprocessors",
    }
    record()
    from audit.events import EventType
    from audit.services import audit_record

    audit_record(event_type=EventType.values[0])
    for stream in logged_streams():
        log_integrate_all(stream.name, stream.log)
    assert opened("audit").size >= 1 and opened("consent").size == 1


def test_integration_goes_on_through_full_batches_and_stops_at_a_short_one(monkeypatch):
    """A backlog is integrated batch after batch; a batch that is not full ends
    the run, so under steady load one run signs one checkpoint per interval."""
    from audit import transparency

    calls = []
    real = transparency.log_integrate
    monkeypatch.setattr(transparency, "log_integrate", lambda *a, **k: calls.append(1) or real(*a, **k))
    for _ in range(7):
        record()
    assert log_integrate_all("consent", CONSENT, batch_size=3) == 7
    assert len(calls) == 3  # 3, 3, then 1: short, so no fourth look
    sizes = list(
        LogCheckpoint.objects.filter(stream="consent").order_by("size").values_list("size", flat=True)
    )
    assert sizes == [3, 6, 7]
