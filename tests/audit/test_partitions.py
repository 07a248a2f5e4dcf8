"""Evidence tables partitioned by month: made ahead, written to the right month,
and purged a whole month at a time with the purge in the audit chain, every
seal and log still verifying and tampering still caught."""

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from dateutil.relativedelta import relativedelta
from django.db import DatabaseError, connection
from django.utils import timezone

from audit.events import EventType
from audit.logverify import log_verify
from audit.models import AuditEvent
from audit.partitions import (
    PartitionNotLogged,
    PartitionWaits,
    month_start,
    partition_drop,
    partitioned_tables,
    partitions_ahead_months,
    partitions_ensure,
    partitions_expired,
    partitions_of,
)
from audit.selectors import audit_chain_verify
from audit.streams import evidence_stream, stream_seal, stream_verify
from audit.transparency import log_integrate_all
from consent.models import ConsentRecord
from consent.services import consent_record
from consent.streams import CONSENT_PARTITIONS
from cookies.selectors import current_revision
from data_requests.retention import consent_retention_run
from tests.tamper import bypass_triggers

pytestmark = pytest.mark.django_db


def decide() -> ConsentRecord:
    return consent_record(
        subject_key=uuid.uuid4(),
        subject_type="visitor",
        method="banner_accept_all",
        revision_hash=current_revision().content_hash,
        signals={},
        new_subject=True,
    )


def partition_holding(record: ConsentRecord) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM consent_consentrecord WHERE seq = %s", [record.seq]
        )
        return cursor.fetchone()[0]


def test_the_tables_that_grow_with_traffic_are_partitioned_a_year_ahead():
    assert {spec.table for spec in partitioned_tables()} == {
        "consent_consentrecord",
        "integrations_sharingevent",
    }
    this_month = month_start(timezone.now())
    for spec in partitioned_tables():
        partitions = partitions_of(spec.table)
        assert partitions[0].is_archive and partitions[0].end <= this_month
        months = [p.start for p in partitions[1:]]
        assert this_month in months
        assert all(
            later == earlier + relativedelta(months=1)
            for earlier, later in zip(months, months[1:], strict=False)
        )
        assert max(p.end for p in partitions) > this_month + relativedelta(months=12)
    assert all(months >= 12 for months in partitions_ahead_months().values())


def test_each_row_goes_to_its_month_and_an_earlier_date_to_the_archive():
    record = decide()
    assert partition_holding(record) == f"consent_consentrecord_p{timezone.now().astimezone(UTC):%Y%m}"
    bypass_triggers(
        "UPDATE consent_consentrecord SET recorded_at = %s WHERE seq = %s",
        [datetime(2019, 3, 4, tzinfo=UTC), record.seq],
    )
    assert partition_holding(record) == "consent_consentrecord_archive"


def test_the_daily_job_makes_what_is_missing_and_nothing_twice():
    later = timezone.now() + relativedelta(months=15)
    assert all(months < 12 for months in partitions_ahead_months(now=later).values())
    created = partitions_ensure(now=later)
    # Both tables: from the end of what the migration made to a year past `later`.
    assert f"consent_consentrecord_p{month_start(later) + relativedelta(months=12):%Y%m}" in created
    assert f"integrations_sharingevent_p{month_start(later):%Y%m}" in created
    assert all(months == 12 for months in partitions_ahead_months(now=later).values())
    assert partitions_ensure(now=later) == []


def test_retention_drops_a_whole_month_in_one_step_and_records_it(settings):
    settings.CONSENT_RECORD_RETENTION_DAYS = 1
    records = [decide() for _ in range(5)]
    log_integrate_all("consent", evidence_stream("consent").log)
    stream_seal("consent")
    this_month = partition_holding(records[0])
    # Two months on, with a day's retention: this month is wholly past the cutoff.
    result = consent_retention_run(now=timezone.now() + relativedelta(months=2))
    assert this_month in result["partitions_dropped"]
    assert result["consent_records_deleted"] == 5
    assert not ConsentRecord.objects.filter(seq__in=[r.seq for r in records]).exists()
    assert this_month not in {p.name for p in partitions_of("consent_consentrecord")}
    event = AuditEvent.objects.filter(
        event_type=EventType.RETENTION_APPLIED, changes__partition=this_month
    ).get()
    assert event.changes["through_seq"] == records[-1].seq
    assert event.changes["consent_rows_deleted"] == 5
    # Every seal, the log and the audit chain still verify: the leaves of the records stay.
    assert stream_verify("consent").intact
    assert log_verify(evidence_stream("consent"), full=True).intact
    assert audit_chain_verify()[1] is None


def test_a_month_whose_rows_are_not_all_logged_waits():
    record = decide()  # not integrated into the log yet
    [month] = [p for p in partitions_of("consent_consentrecord") if p.name == partition_holding(record)]
    with pytest.raises(PartitionNotLogged):
        partition_drop(CONSENT_PARTITIONS, month, reason={})
    assert ConsentRecord.objects.filter(seq=record.seq).exists()
    log_integrate_all("consent", evidence_stream("consent").log)
    partition_drop(CONSENT_PARTITIONS, month, reason={})
    assert not ConsentRecord.objects.filter(seq=record.seq).exists()


def test_tampering_after_a_partition_purge_is_still_caught():
    old = decide()
    # Its month is next month's partition (a row moves when its date does), so this month stays.
    bypass_triggers(
        "UPDATE consent_consentrecord SET recorded_at = recorded_at + interval '1 month' WHERE seq = %s",
        [old.seq],
    )
    log_integrate_all("consent", evidence_stream("consent").log)
    [month] = [p for p in partitions_of("consent_consentrecord") if p.name == partition_holding(old)]
    partition_drop(CONSENT_PARTITIONS, month, reason={})
    # A later record, kept by retention, deleted behind the product's back.
    kept = decide()
    log_integrate_all("consent", evidence_stream("consent").log)
    bypass_triggers("DELETE FROM consent_consentrecord WHERE seq = %s", [kept.seq])
    check = log_verify(evidence_stream("consent"), full=True)
    assert not check.intact and f"its row {kept.seq} is missing" in str(check.broken)


def test_only_months_wholly_past_the_cutoff_expire():
    now = timezone.now()
    expired = partitions_expired(CONSENT_PARTITIONS, cutoff=month_start(now) + timedelta(days=3))
    assert all(p.end <= month_start(now) + timedelta(days=3) for p in expired)
    assert not any(p.is_archive for p in expired)
    assert f"consent_consentrecord_p{now.astimezone(UTC):%Y%m}" not in {p.name for p in expired}


def table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        return cursor.fetchone()[0] is not None


def test_a_month_purged_but_not_yet_dropped_is_dropped_by_the_next_daily_job():
    [month] = [p for p in partitions_of("consent_consentrecord") if p.start == month_start(timezone.now())]
    partition_drop(CONSENT_PARTITIONS, month, reason={}, free_disk=False)  # a crash before the drop
    assert table_exists(month.name)
    partitions_ensure()
    assert not table_exists(month.name)


def test_a_month_someone_else_detached_is_left_alone():
    """A legal hold or cold storage: no purge recorded it, so it is not ours to drop."""
    [month] = [p for p in partitions_of("consent_consentrecord") if p.start == month_start(timezone.now())]
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE consent_consentrecord DETACH PARTITION "{month.name}"')
    partitions_ensure()
    assert table_exists(month.name)


def test_rows_numbered_below_a_dropped_month_but_dated_after_it_must_stay(monkeypatch):
    """Two writers crossing at midnight of a month's last day: a row of the next
    month numbered below the month's last row. The purge lists it as kept, so
    deleting it later is still caught."""
    first = decide()
    next_month = timezone.now() + relativedelta(months=1)
    with monkeypatch.context() as clock:
        clock.setattr(timezone, "now", lambda: next_month)
        crossing = decide()
    last = decide()
    assert partition_holding(crossing) != partition_holding(first) == partition_holding(last)
    log_integrate_all("consent", evidence_stream("consent").log)
    stream_seal("consent")
    [month] = [p for p in partitions_of("consent_consentrecord") if p.name == partition_holding(first)]
    changes = partition_drop(CONSENT_PARTITIONS, month, reason={})
    assert changes["through_seq"] == last.seq and changes["kept_seqs"] == [crossing.seq]
    assert stream_verify("consent").intact and log_verify(evidence_stream("consent"), full=True).intact
    bypass_triggers("DELETE FROM consent_consentrecord WHERE seq = %s", [crossing.seq])
    check = log_verify(evidence_stream("consent"), full=True)
    assert not check.intact and f"its row {crossing.seq} is missing" in str(check.broken)
    assert not stream_verify("consent").intact


def test_a_row_the_log_skipped_keeps_its_month_until_it_is_logged():
    """The log's frontier passed a row that committed late (the sweep logs it
    later): the frontier alone would let its month go unlogged."""
    from audit.models import LogState

    logged = decide()
    log_integrate_all("consent", evidence_stream("consent").log)
    skipped = decide()
    LogState.objects.filter(stream="consent").update(through_seq=skipped.seq)
    [month] = [p for p in partitions_of("consent_consentrecord") if p.name == partition_holding(logged)]
    with pytest.raises(PartitionNotLogged):
        partition_drop(CONSENT_PARTITIONS, month, reason={})
    assert ConsentRecord.objects.filter(seq=skipped.seq).exists()


def test_every_month_refuses_truncate_like_its_table():
    partitions_ensure(now=timezone.now() + relativedelta(months=15))  # new months too
    for spec in partitioned_tables():
        for partition in partitions_of(spec.table):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND tgname = %s",
                    [partition.name, f"{partition.name}_no_truncate"],
                )
                assert cursor.fetchone()[0] == 1, partition.name
    [month] = [p for p in partitions_of("consent_consentrecord") if p.start == month_start(timezone.now())]
    with connection.cursor() as cursor, pytest.raises(DatabaseError, match="append-only"):
        cursor.execute("SET LOCAL icentrex.allow_truncate = off")
        cursor.execute(f'TRUNCATE "{month.name}"')


def test_a_busy_table_makes_the_purge_wait_instead_of_queueing_every_write(settings):
    """A long reader holds the table (a dump, say): the detach gives up after
    PARTITION_LOCK_TIMEOUT_MS instead of queueing every consent write behind it."""
    settings.PARTITION_LOCK_TIMEOUT_MS = 200
    record = decide()
    log_integrate_all("consent", evidence_stream("consent").log)
    [month] = [p for p in partitions_of("consent_consentrecord") if p.name == partition_holding(record)]
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname=database["NAME"]
    ) as reader:
        reader.execute("LOCK TABLE ONLY consent_consentrecord IN ACCESS SHARE MODE")
        with pytest.raises(PartitionWaits):
            partition_drop(CONSENT_PARTITIONS, month, reason={})
    assert ConsentRecord.objects.filter(seq=record.seq).exists()
    assert not AuditEvent.objects.filter(changes__partition=month.name).exists()
