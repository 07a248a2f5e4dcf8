"""Partitioned evidence (issue 22), on the bench database (PostgreSQL, partitioned
by its migrations):

1. the consent POST against the bare INSERT (wrk, gunicorn with 2 workers, metrics
   and JSON logs on) while consent_consentrecord is empty;
2. BENCH_PARTITION_MONTHS (5) past months of BENCH_PARTITION_ROWS (10,000,000)
   consent records each are loaded — 50 million rows — each month into a table
   of its own that is then attached as that month's partition, as a bulk load is done;
3. the same measurement again, beside 50 million records;
4. purging a month: the oldest month's partition dropped by retention
   (``audit.partitions.partition_drop``: lock, count, drop, audit event, in one
   transaction) against the next month's rows deleted row by row as the purge
   did before partitioning (``audit.evidence.evidence_purge``), side by side.

The loaded rows are not in the transparency log (integrating 50 million leaves is
another benchmark's business: ``bin/bench transparency``), so before the drop the
purged month's leaves are written straight into ``audit_logleaf`` and the consent
log's state is told it has them (``LogState.through_seq``): what ``partition_drop``
checks, each row against its leaf. Everything loaded is dropped at the end (the
leaves stay in the bench database, which the next run makes anew).
"""

import os
import tempfile
import time
from datetime import UTC
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils import timezone

from bench.common import gunicorn
from bench.consent import POST_LUA, SETTINGS, _setup, _wrk

MONTHS = int(os.environ.get("BENCH_PARTITION_MONTHS", "5"))
ROWS = int(os.environ.get("BENCH_PARTITION_ROWS", "10000000"))
PAIRS = int(os.environ.get("BENCH_PARTITION_PAIRS", "3"))
TABLE = "consent_consentrecord"
CHOICES = '{"necessary": true, "preferences": true, "analytics": true, "marketing": false}'


def _consent_runs(server_env: dict, post: str) -> dict:
    runs = []
    log = Path(tempfile.mkdtemp(prefix="icentrex-bench-")) / "gunicorn.log"
    with gunicorn(server_env, log_path=log) as (base, _port):
        _wrk(base + "/_bench/insert", post, seconds=3)
        _wrk(base + "/api/v1/consent", post, seconds=3)
        for _ in range(PAIRS):
            insert = _wrk(base + "/_bench/insert", post)
            consent = _wrk(base + "/api/v1/consent", post)
            runs.append({"bare_insert": insert, "consent_post": consent})
    return {
        "runs": runs,
        "consent_req_per_s": [r["consent_post"]["req_per_s"] for r in runs],
        "consent_p99_ms": [r["consent_post"]["p99_ms"] for r in runs],
        "ratio_to_bare_insert": [
            round(r["consent_post"]["req_per_s"] / r["bare_insert"]["req_per_s"], 3) for r in runs
        ],
    }


def _sql(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _past_months() -> list:
    """The months before the first monthly partition, which the (empty) archive
    covered: it is made to end where the first loaded month starts."""
    first = _sql(
        "SELECT min(lower_bound) FROM (SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), "
        "$$FROM \\('([^']+)'\\)$$))[1]::timestamptz AS lower_bound FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass) months",
        [TABLE],
    )[0][0].astimezone(UTC)
    return [first - relativedelta(months=MONTHS - n) for n in range(MONTHS)]


def _numbers_reserve() -> int:
    """Past months' rows are numbered below today's, as they would have been: the
    numbers for the rows loaded later are set aside before anything is written
    today. Returns the first of them."""
    (first,) = _sql(f"SELECT coalesce(max(seq), 0) + 1 FROM {TABLE}")[0]
    _sql(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'seq'), %s)", [first + MONTHS * ROWS])
    return first


def _load(next_seq: int) -> dict:
    """MONTHS months of ROWS rows each, numbered from ``next_seq``, loaded into tables
    of their own, indexed, attached."""
    months = _past_months()
    (archive_rows,) = _sql(f"SELECT count(*) FROM {TABLE}_archive")[0]
    assert archive_rows == 0, "the bench database's archive partition is not empty"
    _sql(f"DROP TABLE {TABLE}_archive")
    _sql(f"CREATE TABLE {TABLE}_archive PARTITION OF {TABLE} FOR VALUES FROM (MINVALUE) TO (%s)", [months[0]])
    template = _sql(f"SELECT revision_id, revision_hash FROM {TABLE} ORDER BY seq LIMIT 1")[0]
    started = time.perf_counter()
    loaded = []
    for number, start in enumerate(months):
        name = f"{TABLE}_p{start:%Y%m}"
        end = start + relativedelta(months=1)
        seconds = (end - start).total_seconds()
        first = next_seq + number * ROWS
        _sql(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        _sql(
            f"INSERT INTO {name} (seq, record_id, subject_key, subject_type, choices, action, method,"
            " revision_hash, policy_version, language, page_url, origin, gpc, dnt, ip_prefix, ua_family,"
            " ua_version, recorded_at, record_hash, revision_id, hash_version, gpc_overridden)"
            " SELECT s, gen_random_uuid(), gen_random_uuid(), 'visitor',"
            " %s::jsonb, 'accept',"
            " 'banner_accept_all', %s, '2026-11-01', 'en', 'https://privacy.icentrex.example/', '', NULL,"
            " false, '198.51.100.0', 'Chrome', '131',"
            " %s::timestamptz + ((s - %s) * %s / %s) * interval '1 second',"
            " md5(s::text) || md5((s + 1)::text), %s, 2, '{}'"
            " FROM generate_series(%s, %s) s",
            [CHOICES, template[1], start, first, seconds, ROWS, template[0], first, first + ROWS - 1],
        )
        # The indexes the partitioned table has, made once on the full month, then attached to.
        _sql(f"ALTER TABLE {name} ADD PRIMARY KEY (seq, recorded_at)")
        _sql(f"ALTER TABLE {name} ADD UNIQUE (record_id, recorded_at)")
        _sql(f"CREATE INDEX ON {name} (subject_key, seq DESC)")
        _sql(f"CREATE INDEX ON {name} (recorded_at)")
        _sql(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end])
        loaded.append(name)
    # What a month-old table has had long before it is measured or purged: vacuumed (else
    # autovacuum works through 50 million fresh rows during the measurement, and a drop waits
    # for it to yield its lock) and checkpointed.
    vacuum_started = time.perf_counter()
    _sql(f"VACUUM (ANALYZE) {TABLE}")
    _sql("CHECKPOINT")
    vacuum_seconds = time.perf_counter() - vacuum_started
    return {
        "months": len(loaded),
        "rows_per_month": ROWS,
        "rows": len(loaded) * ROWS,
        "seconds": round(time.perf_counter() - started, 1),
        "of_which_vacuum_and_checkpoint_seconds": round(vacuum_seconds, 1),
        "table_size": _sql(
            f"SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits "
            f"WHERE inhparent = '{TABLE}'::regclass"
        )[0][0],  # fmt: skip
        "partitions": loaded,
    }


def _purge(loaded: list[str]) -> dict:
    from audit.evidence import evidence_purge
    from audit.models import LogState
    from audit.partitions import detached_partitions_drop, partition_census, partition_drop, partitions_of
    from consent.models import ConsentRecord
    from consent.streams import CONSENT_PARTITIONS

    (last_loaded,) = _sql(f"SELECT max(seq) FROM {loaded[-1]}")[0]
    LogState.objects.update_or_create(stream="consent", defaults={"through_seq": last_loaded})
    first_month, second_month = (p for p in partitions_of(TABLE) if p.name in loaded[:2])
    started = time.perf_counter()
    _sql(
        "INSERT INTO audit_logleaf (stream, leaf_index, record_seq, leaf_hash) "
        "SELECT 'consent', (SELECT coalesce(max(leaf_index), -1) FROM audit_logleaf WHERE stream = 'consent')"
        " + row_number() OVER (ORDER BY seq), seq, sha256(convert_to(record_hash, 'UTF8'))"
        f" FROM {first_month.name}"
    )
    _sql("VACUUM (ANALYZE) audit_logleaf")
    leaves_seconds = time.perf_counter() - started
    cutoff = timezone.now()
    started = time.perf_counter()
    census = partition_census(CONSENT_PARTITIONS, first_month)
    census_seconds = time.perf_counter() - started
    started = time.perf_counter()
    dropped = partition_drop(
        CONSENT_PARTITIONS, first_month, reason={"cutoff": cutoff.isoformat()}, census=census, free_disk=False
    )
    drop_seconds = time.perf_counter() - started
    started = time.perf_counter()
    detached_partitions_drop(CONSENT_PARTITIONS)
    free_seconds = time.perf_counter() - started
    low, high = _sql(f"SELECT min(seq), max(seq) FROM {second_month.name}")[0]
    started = time.perf_counter()
    deleted = evidence_purge(ConsentRecord.objects.filter(seq__gte=low, seq__lte=high))
    delete_seconds = time.perf_counter() - started
    return {
        "partition_detach_and_audit_event": {
            "rows": dropped["consent_rows_deleted"],
            "seconds": round(drop_seconds, 3),
        },
        "counting_its_rows_and_finding_each_leaf_beforehand": {
            "seconds": round(census_seconds, 2),
            "rows_without_a_leaf": census.unlogged,
            "locks": "none",
        },
        "writing_its_leaves_for_the_bench": {"seconds": round(leaves_seconds, 1)},
        "dropping_the_detached_table": {
            "seconds": round(free_seconds, 2),
            "locks": "none on the evidence table",
        },
        "row_by_row_delete": {"rows": deleted, "seconds": round(delete_seconds, 3)},
        "speed_up": round(delete_seconds / drop_seconds),
    }


def run(env: dict) -> dict:
    from django.conf import settings

    if connection.vendor != "postgresql" or not settings.DATABASES["default"]["NAME"].endswith("bench"):
        return {"skipped": "needs the PostgreSQL bench database"}
    server_env, body = _setup(env)
    post = POST_LUA % body
    reserved = _numbers_reserve()
    empty = _consent_runs(server_env, post)
    loaded = _load(reserved)
    full = _consent_runs(server_env, post)
    purge = _purge(loaded["partitions"])
    for name in loaded["partitions"][1:]:
        _sql(f"DROP TABLE IF EXISTS {name}")
    ratios = [
        round(f / e, 3) for f, e in zip(full["consent_req_per_s"], empty["consent_req_per_s"], strict=True)
    ]
    # The machine's own drift between the two phases shows in the bare INSERT too: the consent
    # POST's share of it, beside 50 million against with an empty table, leaves that out.
    shares = [
        round(f / e, 3)
        for f, e in zip(full["ratio_to_bare_insert"], empty["ratio_to_bare_insert"], strict=True)
    ]
    return {
        "consent_post_empty_table": empty,
        "load": {key: value for key, value in loaded.items() if key != "partitions"},
        "consent_post_beside_50m": full,
        "throughput_50m_vs_empty": ratios,
        "share_of_bare_insert_50m_vs_empty": shares,
        "purge_one_month": purge,
        "settings": SETTINGS,
    }
