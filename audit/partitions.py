"""Evidence tables that grow with traffic, partitioned by month (PostgreSQL
declarative partitioning); SQLite, the embedded default, keeps plain tables.

A partitioned table has:

- one partition per calendar month (UTC) of its time column, ``<table>_pYYYYMM``,
  made ``PARTITIONS_AHEAD_MONTHS`` ahead by a daily beat job (``partitions_ensure``);
- an *archive* partition, ``<table>_archive``, for every row dated before its
  first month: the rows that existed when the table was partitioned, and any
  row written with an earlier date later.

Retention purges whole months (``partition_drop``): a month goes when all of it
is past the retention cutoff and every one of its rows is in the stream's
transparency log. Its detaching and its record in the audit chain
(``RETENTION_APPLIED``, with the stream, the highest sequence number, the
count, and the rows numbered below it that later months hold) commit together;
the detached table is dropped afterwards. Verification then accepts the
stream's rows up to that number missing, but those kept, as it does after a
row-by-row purge. Detaching a month costs the same for ten rows or ten million.

Primary keys and unique keys of a partitioned table include the time column
(PostgreSQL's rule): ``(seq, recorded_at)``; record ids stay unique in practice
(random UUIDs), and Django still treats ``seq`` as the primary key.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from .db import refuse_truncate_sql

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartitionedTable:
    """A table partitioned by month of ``time_column``, whose rows are the
    ``stream``'s evidence (sequence column ``seq_column``)."""

    table: str
    time_column: str
    stream: str
    seq_column: str = "seq"


_TABLES: dict[str, PartitionedTable] = {}


def partitioned_table_register(table: PartitionedTable) -> PartitionedTable:
    _TABLES[table.table] = table
    return table


def partitioned_tables() -> list[PartitionedTable]:
    return [_TABLES[name] for name in sorted(_TABLES)]


def partitioning_in_use() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime | None  # None: from the beginning of time (the archive)
    end: datetime

    @property
    def is_archive(self) -> bool:
        return self.start is None


def month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def partition_name(table: str, start: datetime) -> str:
    """``<table>_pYYYYMM``: a machine name, not a date shown to anyone."""
    return f"{table}_p{start.year:04d}{start.month:02d}"


def _bound(text: str) -> datetime | None:
    """A range bound as PostgreSQL prints it: MINVALUE or a quoted timestamp."""
    text = text.strip()
    if text.upper() == "MINVALUE":
        return None
    return datetime.fromisoformat(text.strip("'")).astimezone(UTC)


def partitions_of(table: str) -> list[Partition]:
    """The table's partitions, oldest first (none if it is not partitioned)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname, pg_get_expr(child.relpartbound, child.oid) "
            "FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
            "WHERE parent.oid = to_regclass(%s)",
            [table],
        )
        rows = cursor.fetchall()
    partitions = []
    for name, bound in rows:
        # FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')
        low, high = bound.split("FROM (", 1)[1].split(") TO (")
        partitions.append(Partition(name, _bound(low), _bound(high.rstrip(")"))))
    return sorted(partitions, key=lambda p: (p.start is not None, p.start or p.end))


class PartitionWaits(Exception):
    """A month cannot be made or purged now; the next daily run tries again."""


class PartitionNotLogged(PartitionWaits):
    """A partition still holds rows that are not in the transparency log."""


@contextmanager
def _parent_lock_bounded():
    """Making or detaching a partition locks the whole table for a moment; waiting
    for that lock behind a long reader (a dump, a big export) would queue every
    write behind us, so it is given up after PARTITION_LOCK_TIMEOUT_MS. Inside a
    transaction: ``SET LOCAL`` ends with it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true)", [f"{settings.PARTITION_LOCK_TIMEOUT_MS}ms"]
        )
    try:
        yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
            raise PartitionWaits("the table was busy; tried again by the next daily run") from error
        raise


def _create_month(spec: PartitionedTable, start: datetime) -> str:
    """A month's partition (in the caller's transaction), refusing TRUNCATE like
    its table: a statement trigger on the table does not reach its partitions."""
    name = partition_name(spec.table, start)
    end = start + relativedelta(months=1)
    with _parent_lock_bounded(), connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{spec.table}" '
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
        cursor.execute(refuse_truncate_sql(name))
    return name


def partitions_ensure(*, now: datetime | None = None, months_ahead: int | None = None) -> list[str]:
    """Every partitioned table has a partition for this month and the
    ``months_ahead`` that follow (PARTITIONS_AHEAD_MONTHS), and for every month
    between its newest partition and now. Idempotent; what it created."""
    if not partitioning_in_use():
        return []
    now = now or timezone.now()
    ahead = settings.PARTITIONS_AHEAD_MONTHS if months_ahead is None else months_ahead
    created = []
    for spec in partitioned_tables():
        detached_partitions_drop(
            spec
        )  # months a retention purge detached, if a crash kept it from dropping them
        existing = partitions_of(spec.table)
        if not existing:
            continue  # not partitioned (yet): its migration has not run
        newest_end = max(p.end for p in existing)
        last_wanted = month_start(now) + relativedelta(months=ahead)
        start = newest_end
        while start <= last_wanted:
            try:
                with transaction.atomic():
                    created.append(_create_month(spec, start))
            except PartitionWaits:
                logger.warning("%s: month %s not made now (the table was busy)", spec.table, start.date())
                break  # months are made in order; the rest wait for the next run too
            start += relativedelta(months=1)
    return created


def partitions_ahead_months(*, now: datetime | None = None) -> dict[str, int]:
    """Whole months each table can take rows for beyond this one (metrics and
    alerts: rows for a month without a partition would be refused)."""
    now = now or timezone.now()
    months = {}
    for spec in partitioned_tables():
        existing = partitions_of(spec.table) if partitioning_in_use() else []
        if not existing:
            continue
        newest_end = max(p.end for p in existing)
        delta = relativedelta(newest_end, month_start(now))
        months[spec.table] = delta.years * 12 + delta.months - 1
    return months


def partitions_expired(spec: PartitionedTable, *, cutoff: datetime) -> list[Partition]:
    """Monthly partitions wholly before ``cutoff``, oldest first (the archive is
    purged row by row, as before partitioning: it is never dropped whole)."""
    if not partitioning_in_use():
        return []
    return [p for p in partitions_of(spec.table) if not p.is_archive and p.end <= cutoff]


@dataclass(frozen=True)
class Census:
    """What a partition holds: how many rows, the lowest and highest sequence
    numbers, and how many of its rows have no leaf in the stream's log."""

    rows: int
    first_seq: int | None
    last_seq: int | None
    unlogged: int = 0


def partition_census(spec: PartitionedTable, partition: Partition) -> Census:
    """Counted before a drop, without a lock: a month past retention takes no new
    rows (its dates are past). Seconds for ten million rows: it reads them all,
    and looks each up among the log's leaves — the log's frontier alone is not
    enough, as a row that committed late is logged by the nightly sweep, after
    rows numbered above it."""
    seq = spec.seq_column
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*), min(p."{seq}"), max(p."{seq}"), '
            f"count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM audit_logleaf leaf "
            f'WHERE leaf.stream = %s AND leaf.record_seq = p."{seq}")) FROM "{partition.name}" p',
            [spec.stream],
        )
        return Census(*cursor.fetchone())


# Rows numbered below a month's highest number but dated in a later month (writers
# crossing at midnight): listed in the purge's record, as rows that must stay. More
# than this many means the month is no prefix of the stream yet (an older month or
# the archive still holds rows): the purge waits.
MAX_KEPT_SEQS = 1000


def partition_drop(
    spec: PartitionedTable,
    partition: Partition,
    *,
    reason: dict,
    census: Census | None = None,
    free_disk: bool = True,
) -> dict:
    """Purge one month of ``spec``'s evidence: detach its partition and record it
    in the audit chain in one transaction (how many rows — ``census``, counted
    beforehand —, the highest sequence number), then drop the detached table.
    The purge is the detach, a change of the catalogue; the drop afterwards only
    gives the disk back (seconds for gigabytes) and holds no lock on the
    evidence table. A detached table a crash left behind is dropped by the next
    ``partitions_ensure``. Under the lock the highest number is read again (one
    index read): a row that arrived after the census is counted anew.

    Refused (PartitionNotLogged) while the stream's log has not integrated
    every row up to the partition's highest sequence number — the log keeps
    the leaves of deleted rows, so their proofs stay valid."""
    from .events import EventType
    from .models import LogState
    from .services import audit_record

    census = census or partition_census(spec, partition)
    seq = spec.seq_column
    with transaction.atomic(), _parent_lock_bounded():
        with connection.cursor() as cursor:
            # The table before its partition, the order every query takes them in; ONLY,
            # or the lock would reach every month. Held for milliseconds: the rows
            # were counted beforehand, and nobody writes to a month past retention.
            cursor.execute(f'LOCK TABLE ONLY "{spec.table}", "{partition.name}" IN ACCESS EXCLUSIVE MODE')
            cursor.execute(f'SELECT max("{seq}") FROM "{partition.name}"')
            if cursor.fetchone()[0] != census.last_seq:
                census = partition_census(spec, partition)
            through = (
                LogState.objects.filter(stream=spec.stream).values_list("through_seq", flat=True).first() or 0
            )
            if census.unlogged or (census.last_seq is not None and through < census.last_seq):
                raise PartitionNotLogged(
                    f"{partition.name}: rows up to {census.last_seq} are not all in the {spec.stream} log yet"
                )
            cursor.execute(f'ALTER TABLE "{spec.table}" DETACH PARTITION "{partition.name}"')
            kept = []
            if census.last_seq is not None:
                cursor.execute(
                    f'SELECT "{seq}" FROM "{spec.table}" WHERE "{seq}" <= %s ORDER BY "{seq}" LIMIT %s',
                    [census.last_seq, MAX_KEPT_SEQS + 1],
                )
                kept = [row[0] for row in cursor.fetchall()]
            if len(kept) > MAX_KEPT_SEQS:
                raise PartitionWaits(f"{partition.name}: older rows are still kept; it goes after them")
        changes = {
            "stream": spec.stream,
            "partition": partition.name,
            "month": partition.start.date().isoformat()[:7],
            f"{spec.stream}_rows_deleted": census.rows,
            **reason,
        }
        if census.last_seq is not None:
            changes.update(through_seq=census.last_seq, first_seq=census.first_seq)
        if kept:
            changes["kept_seqs"] = kept  # numbered below through_seq, yet not purged (evidence_pruned)
        audit_record(event_type=EventType.RETENTION_APPLIED, changes=changes)
    if free_disk:
        detached_partitions_drop(spec)
    return changes


def detached_partitions_drop(spec: PartitionedTable) -> list[str]:
    """Drop the month tables of ``spec`` that a retention purge detached (its
    ``RETENTION_APPLIED`` event names them); a month detached by anyone else
    (a legal hold, cold storage) is not ours to drop."""
    from .events import EventType
    from .models import AuditEvent

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
            "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
            "AND relname ~ %s AND NOT relispartition",
            [f"^{spec.table}_p[0-9]{{6}}$"],
        )
        detached = [row[0] for row in cursor.fetchall()]
        purged = set(
            AuditEvent.objects.filter(
                event_type=EventType.RETENTION_APPLIED, changes__partition__in=detached
            ).values_list("changes__partition", flat=True)
        )
        names = [name for name in detached if name in purged]
        for name in names:
            cursor.execute(f'DROP TABLE "{name}"')
    return names
