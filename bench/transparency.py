"""Transparency log benchmark (issue 18), printed as JSON by ``bin/bench transparency``.

1. Under load: the bare INSERT view and POST /api/v1/consent back to back (wrk,
   as bench/consent.py), with the integrator process running; then the lag
   from each record's write to the first signed checkpoint holding it (p50/p99).
2. One integration run with nothing new, at 0 and at 5,000,000 logged records
   (database time and queries; must stay flat), and one run adding one record.
3. Proof generation at 10,000,000 leaves: inclusion and consistency proofs
   for random entries and sizes, read from the stored tiles (p50/p95).
4. A full audit of 1,000,000 logged consent records (every row re-hashed,
   every checkpoint and tile checked), in one process and in two; and how fast
   a backlog of them is integrated.
5. A witness round per checkpoint over HTTP (fetch, consistency proof, cosign,
   send back).

Sizes: BENCH_LOG_EXISTING, BENCH_PROOF_LEAVES, BENCH_VERIFY_RECORDS."""

import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import ROOT, gunicorn

EXISTING = int(os.environ.get("BENCH_LOG_EXISTING", "5000000"))
PROOF_LEAVES = int(os.environ.get("BENCH_PROOF_LEAVES", "10000000"))
VERIFY_RECORDS = int(os.environ.get("BENCH_VERIFY_RECORDS", "1000000"))


def _percentiles(values: list[float], *points: int) -> dict:
    values = sorted(values)
    return {f"p{p}_ms": round(values[min(len(values) - 1, len(values) * p // 100)] * 1000, 2) for p in points}


# --- 1. Under load -------------------------------------------------------------------------


def under_load(env: dict, pairs: int = 3) -> dict:
    """The consent POST against the bare INSERT, in pairs, alternately without
    and with the integrator running (side by side in one run: the machine is
    noisy); and each record's lag from its write to the first signed
    checkpoint holding it, for the records written while it ran."""
    from django.utils import timezone

    from bench import consent

    server_env, body = consent._setup(env)
    post = consent.POST_LUA % body

    def pair(base: str) -> dict:
        insert = consent._wrk(base + "/_bench/insert", post)
        decided = consent._wrk(base + "/api/v1/consent", post)
        return {
            "bare_insert_view": insert,
            "consent_post": decided,
            "ratio": round(decided["req_per_s"] / insert["req_per_s"], 3),
        }

    without, with_integrator, lags, checkpoints = [], [], [], 0
    with gunicorn(server_env) as (base, _port):
        consent._wrk(base + "/_bench/insert", post)  # warm up workers and connections
        consent._wrk(base + "/api/v1/consent", post)
        for _ in range(pairs):
            without.append(pair(base))
            integrator = subprocess.Popen(
                [sys.executable, "manage.py", "transparency_integrate", "--follow", "--stream", "consent"],
                cwd=ROOT,
                env=server_env,
                stdout=subprocess.DEVNULL,
            )
            try:
                _caught_up()  # what the pair without it wrote is a backlog, not load
                began = timezone.now()
                with_integrator.append(pair(base))
                ended = timezone.now()
                _caught_up()
            finally:
                integrator.terminate()
                integrator.wait(timeout=30)
            seen, signed = _lags(began, ended)
            lags += seen
            checkpoints += signed
    lags.sort()
    return {
        "without_integrator": {"ratios": [run["ratio"] for run in without], "runs": without},
        "with_integrator": {"ratios": [run["ratio"] for run in with_integrator], "runs": with_integrator},
        "integration_lag": {
            "records": len(lags),
            "checkpoints": checkpoints,
            "p50_s": round(statistics.median(lags), 3),
            "p99_s": round(lags[int(len(lags) * 0.99)], 3),
            "max_s": round(lags[-1], 3),
        },
        "settings": {**consent.SETTINGS, "integrator_interval_s": 0.5},
    }


def _lags(began, ended) -> tuple[list[float], int]:
    """Each record written between ``began`` and ``ended``: seconds from its
    write to the first signed checkpoint that holds it; and how many
    checkpoints were signed meanwhile."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT extract(epoch FROM c.created_at - r.recorded_at)
              FROM audit_logleaf l
              JOIN consent_consentrecord r ON r.seq = l.record_seq
              CROSS JOIN LATERAL (
                  SELECT created_at FROM audit_logcheckpoint
                   WHERE stream = 'consent' AND size > l.leaf_index ORDER BY size LIMIT 1
              ) c
             WHERE l.stream = 'consent' AND r.recorded_at BETWEEN %s AND %s
            """,
            [began, ended],
        )
        lags = [float(row[0]) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT count(*) FROM audit_logcheckpoint "
            "WHERE stream = 'consent' AND created_at BETWEEN %s AND %s",
            [began, ended],
        )
        return lags, cursor.fetchone()[0]


def _caught_up(timeout: float = 300) -> None:
    """Wait until every consent record is in the log."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT (SELECT count(*) FROM consent_consentrecord), "
                "(SELECT count(*) FROM audit_logleaf WHERE stream = 'consent')"
            )
            records, leaves = cursor.fetchone()
            if records == leaves:
                return
            time.sleep(0.2)
    raise RuntimeError("the integrator did not catch up")


# --- 2. An integration run with nothing new ----------------------------------------------------


def _run_cost(runs: int = 20) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit.streams import evidence_stream
    from audit.transparency import log_integrate

    source = evidence_stream("consent").log
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            assert log_integrate("consent", source) == 0
            times.append(time.perf_counter() - started)
    return {"queries": len(queries), **_percentiles(times, 50, 95)}


def _one_new_record_cost() -> float:
    from audit.streams import evidence_stream
    from audit.transparency import log_integrate

    _consent_record()
    started = time.perf_counter()
    assert log_integrate("consent", evidence_stream("consent").log) == 1
    return round((time.perf_counter() - started) * 1000, 2)


def _consent_record():
    from consent.services import consent_record
    from cookies.selectors import current_revision

    return consent_record(
        subject_key=uuid.uuid4(),
        subject_type="visitor",
        method="banner_accept_all",
        revision_hash=current_revision().content_hash,
        signals={"gpc": None, "dnt": None, "ip_prefix": "", "ua_family": "", "ua_version": "", "origin": ""},
    )


def _add_logged_rows(count: int) -> None:
    """``count`` more consent records, already in the log, written in bulk by SQL
    (copies of the newest record with fresh ids; their hashes are not real, so a
    full audit after this would fail: only integration costs are measured here)."""
    from django.db import connection

    from audit.models import LogState
    from audit.transparency import _Tiles

    with connection.cursor() as cursor:
        cursor.execute("SELECT size, through_seq FROM audit_logstate WHERE stream = 'consent'")
        size, _through = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO consent_consentrecord (record_id, subject_key, subject_type, choices, action, method,
                revision_id, revision_hash, policy_version, language, page_url, origin, gpc, dnt, ip_prefix,
                ua_family, ua_version, recorded_at, record_hash, hash_version, gpc_overridden)
            SELECT gen_random_uuid(), gen_random_uuid(), subject_type, choices, action, method, revision_id,
                   revision_hash, policy_version, language, page_url, origin, gpc, dnt, ip_prefix, ua_family,
                   ua_version, recorded_at, md5(i::text) || md5((i + 1)::text), hash_version, gpc_overridden
              FROM consent_consentrecord, generate_series(1, %s) AS i
             WHERE seq = (SELECT max(seq) FROM consent_consentrecord)
            """,
            [count],
        )
        cursor.execute(
            """
            INSERT INTO audit_logleaf (stream, leaf_index, record_seq, leaf_hash)
            SELECT 'consent', %s + row_number() OVER (ORDER BY seq) - 1, seq,
                   sha256('\\x00'::bytea || decode(record_hash, 'hex'))
              FROM consent_consentrecord
             WHERE NOT EXISTS (
                 SELECT 1 FROM audit_logleaf l WHERE l.stream = 'consent' AND l.record_seq = seq
             )
            """,
            [size],
        )
        cursor.execute("SELECT max(seq) FROM consent_consentrecord")
        through = cursor.fetchone()[0]
    tiles, at = _Tiles("consent"), size
    chunk = 262_144
    while at < size + count:
        from audit.models import LogLeaf

        leaves = [
            bytes(leaf)
            for leaf in LogLeaf.objects.filter(
                stream="consent", leaf_index__gte=at, leaf_index__lt=at + chunk
            )
            .order_by("leaf_index")
            .values_list("leaf_hash", flat=True)
        ]
        tiles.append(at, leaves)
        tiles.loaded.clear()
        at += len(leaves)
    from audit.transparency import _checkpoint_sign

    _checkpoint_sign("consent", at, _Tiles("consent").root(at))
    LogState.objects.filter(stream="consent").update(size=at, through_seq=through, gaps=[])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE consent_consentrecord")
        cursor.execute("VACUUM ANALYZE audit_logleaf")


# --- 3. Proofs at 10M leaves --------------------------------------------------------------------


def proofs(leaves: int = PROOF_LEAVES, samples: int = 1000) -> dict:
    """A tiles-only log of ``leaves`` synthetic leaves (stream "bench"), then
    inclusion and consistency proofs for random entries, each verified."""
    from audit import tlog
    from audit.models import LogCheckpoint
    from audit.transparency import _checkpoint_sign, _Tiles, log_consistency_proof, log_inclusion_proof

    started = time.perf_counter()
    chunk, at = 1 << 20, 0
    while at < leaves:
        batch = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(at, min(at + chunk, leaves))]
        tiles = _Tiles("bench")
        tiles.append(at, batch)
        at += len(batch)
    build_s = time.perf_counter() - started
    root = _Tiles("bench").root(leaves)
    _checkpoint_sign("bench", leaves, root)
    earlier = leaves // 3
    earlier_root = _Tiles("bench").root(earlier)
    inclusion, consistency = [], []
    rng = random.Random(18)
    for _ in range(samples):
        index = rng.randrange(leaves)
        began = time.perf_counter()
        proof = log_inclusion_proof("bench", leaf_index=index, size=leaves)
        inclusion.append(time.perf_counter() - began)
        leaf = hashlib.sha256(index.to_bytes(8, "big")).digest()
        tlog.verify_inclusion(leaf=leaf, index=index, size=leaves, proof=proof, root=root)
    for _ in range(samples // 10):
        began = time.perf_counter()
        proof = log_consistency_proof("bench", first=earlier, second=leaves)
        consistency.append(time.perf_counter() - began)
    tlog.verify_consistency(
        first=earlier, second=leaves, first_root=earlier_root, second_root=root, proof=proof
    )
    assert LogCheckpoint.objects.filter(stream="bench").exists()
    return {
        "leaves": leaves,
        "tiles_built_s": round(build_s, 1),
        "inclusion": {
            "samples": len(inclusion),
            "proof_hashes": len(proof),
            **_percentiles(inclusion, 50, 95),
        },
        "consistency": {"samples": len(consistency), **_percentiles(consistency, 50, 95)},
    }


# --- 4. A full audit of 1M records --------------------------------------------------------------


def _write_real_records(count: int) -> float:
    """``count`` consent records with real hashes, written with COPY; seconds taken."""
    from django.db import connection
    from django.utils import timezone

    from consent.models import ConsentRecord
    from cookies.selectors import current_revision

    revision = current_revision()
    started = time.perf_counter()
    columns = [
        "record_id", "subject_key", "subject_type", "choices", "action", "method", "revision_id",
        "revision_hash", "policy_version", "language", "page_url", "origin", "gpc", "dnt", "ip_prefix",
        "ua_family", "ua_version", "recorded_at", "record_hash", "hash_version", "gpc_overridden",
    ]  # fmt: skip
    now = timezone.now()
    choices = {"necessary": True, "preferences": True, "analytics": False, "marketing": True}
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY consent_consentrecord ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for i in range(count):
            record = ConsentRecord(
                record_id=uuid.uuid4(),
                subject_key=uuid.uuid4(),
                subject_type="visitor",
                choices=choices,
                action="grant",
                method="banner_custom",
                revision=revision,
                revision_hash=revision.content_hash,
                policy_version="v1 bench",
                language="sv",
                page_url=f"https://shop.example/p/{i}",
                origin="https://shop.example",
                gpc=None,
                dnt=None,
                ip_prefix="192.0.2.0",
                ua_family="Firefox",
                ua_version="140",
                recorded_at=now,
            )
            record.record_hash = record.compute_hash()
            row = [getattr(record, name) for name in columns]
            row[3] = json.dumps(choices)
            row[-1] = "[]"
            copy.write_row(row)
    return time.perf_counter() - started


def full_audit(count: int = VERIFY_RECORDS) -> dict:
    from django.db import connection

    from audit.logverify import log_verify
    from audit.streams import evidence_stream
    from audit.transparency import log_integrate_all

    stream = evidence_stream("consent")
    write_s = _write_real_records(count)
    started = time.perf_counter()
    added = log_integrate_all("consent", stream.log)
    integrate_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE consent_consentrecord")
        cursor.execute("VACUUM ANALYZE audit_logleaf")
    timings = {}
    for workers in (1, 2):
        started = time.perf_counter()
        check = log_verify(stream, full=True, workers=workers)
        timings[workers] = time.perf_counter() - started
        assert check.intact, check.broken
    for _ in range(1000):
        _consent_record()
    log_integrate_all("consent", stream.log)
    started = time.perf_counter()
    routine = log_verify(stream)
    routine_s = time.perf_counter() - started
    assert routine.intact and routine.leaves == 1000
    return {
        "records": check.size,
        "records_written_s": round(write_s, 1),
        "backlog_integrated": {
            "leaves": added,
            "seconds": round(integrate_s, 1),
            "per_s": round(added / integrate_s),
        },
        "full_audit_1_process_s": round(timings[1], 1),
        "full_audit_2_processes_s": round(timings[2], 1),
        "full_audit_per_s_2_processes": round(check.size / timings[2]),
        "routine_verify_1000_new_s": round(routine_s, 3),
    }


# --- 5. The witness ----------------------------------------------------------------------------


def witness(env: dict, rounds: int = 30) -> dict:
    """A witness round against the app served by gunicorn, 10 new records between rounds."""
    from audit.streams import evidence_stream
    from audit.transparency import log_integrate_all, log_origin, log_verifiers
    from audit.witness import Witness

    found = Witness(Path(tempfile.mkdtemp(prefix="bench-witness-")), name="witness.bench")
    server_env = {
        **env,
        "TRANSPARENCY_WITNESSES": str(found.verifier),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    times = []
    with gunicorn(server_env) as (base, _port):
        log = {
            "origin": log_origin("consent"),
            "keys": [str(log_verifiers()[0])],
            "checkpoint": f"{base}/transparency/consent/checkpoint",
            "consistency_proof": f"{base}/api/v1/transparency/consent/consistency",
            "cosignatures": f"{base}/transparency/consent/cosignatures",
        }
        for _ in range(rounds):
            for _ in range(10):
                _consent_record()
            log_integrate_all("consent", evidence_stream("consent").log)
            started = time.perf_counter()
            outcome = found.check_log(log)
            times.append(time.perf_counter() - started)
            assert outcome.status == "cosigned", outcome
    return {"rounds": rounds, **_percentiles(times, 50, 95)}


def run(env: dict) -> dict:
    from django.db import connection

    report = {}

    def measured(name: str, value) -> None:
        report[name] = value
        print(json.dumps({name: value}), file=sys.stderr, flush=True)  # a long run's progress

    empty = {"records": 0, "nothing_new": _run_cost(), "one_new_ms": _one_new_record_cost()}
    measured("under_load", under_load(env))
    measured("witness_round", witness(env))
    measured("full_audit", full_audit())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM consent_consentrecord")
        now = cursor.fetchone()[0]
    after_audit = {"records": now, "nothing_new": _run_cost(), "one_new_ms": _one_new_record_cost()}
    _add_logged_rows(EXISTING - now - 1)
    large = {"records": EXISTING, "nothing_new": _run_cost(), "one_new_ms": _one_new_record_cost()}
    measured("integration_run", {"empty_log": empty, "after_full_audit": after_audit, "large_log": large})
    measured("proofs_10m", proofs())
    return report
