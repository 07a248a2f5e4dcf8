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
(``RETENTION_APPLIED``, with the stream, the highest sequence number and the
count) commit together; the detached table is dropped afterwards. Verification
then accepts the stream's rows up to that number missing, as it does after a
row-by-row purge. Detaching a month costs the same for ten rows or ten million.

Primary keys and unique keys of a partitioned table include the time column
(PostgreSQL's rule): ``(seq, recorded_at)``; record ids stay unique in practice
(random UUIDs), and Django still treats ``seq`` as the primary key.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone


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
            "WHERE parent.relname = %s AND parent.relnamespace = 'public'::regnamespace",
            [table],
        )
        rows = cursor.fetchall()
    partitions = []
    for name, bound in rows:
        # FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')
        low, high = bound.split("FROM (", 1)[1].split(") TO (")
        partitions.append(Partition(name, _bound(low), _bound(high.rstrip(")"))))
    return sorted(partitions, key=lambda p: (p.start is not None, p.start or p.end))


def _create_month(spec: PartitionedTable, start: datetime) -> str:
    name = partition_name(spec.table, start)
    end = start + relativedelta(months=1)
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{spec.table}" '
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
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
            with transaction.atomic():
                created.append(_create_month(spec, start))
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


class PartitionNotLogged(Exception):
    """A partition still holds rows that are not in the transparency log."""


@dataclass(frozen=True)
class Census:
    """What a partition holds: how many rows, the lowest and highest sequence numbers."""

    rows: int
    first_seq: int | None
    last_seq: int | None


def partition_census(spec: PartitionedTable, partition: Partition) -> Census:
    """Counted before a drop, without a lock: a month past retention takes no new
    rows (its dates are past). Seconds for ten million rows: it reads them all."""
    seq = spec.seq_column
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*), min("{seq}"), max("{seq}") FROM "{partition.name}"')
        return Census(*cursor.fetchone())


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
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Nobody writes to a month past retention; the lock keeps it so until the detach.
            cursor.execute(f'LOCK TABLE "{partition.name}" IN ACCESS EXCLUSIVE MODE')
            cursor.execute(f'SELECT max("{spec.seq_column}") FROM "{partition.name}"')
            if cursor.fetchone()[0] != census.last_seq:
                census = partition_census(spec, partition)
            through = (
                LogState.objects.filter(stream=spec.stream).values_list("through_seq", flat=True).first() or 0
            )
            if census.last_seq is not None and through < census.last_seq:
                raise PartitionNotLogged(
                    f"{partition.name}: rows up to {census.last_seq} are not all in the {spec.stream} log yet"
                )
            cursor.execute(f'ALTER TABLE "{spec.table}" DETACH PARTITION "{partition.name}"')
        changes = {
            "stream": spec.stream,
            "partition": partition.name,
            "month": partition.start.date().isoformat()[:7],
            f"{spec.stream}_rows_deleted": census.rows,
            **reason,
        }
        if census.last_seq is not None:
            changes.update(through_seq=census.last_seq, first_seq=census.first_seq)
        audit_record(event_type=EventType.RETENTION_APPLIED, changes=changes)
    if free_disk:
        detached_partitions_drop(spec)
    return changes


def detached_partitions_drop(spec: PartitionedTable) -> list[str]:
    """Drop the month tables of ``spec`` that are no longer its partitions."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
            "AND relname ~ %s AND NOT relispartition",
            [f"^{spec.table}_p[0-9]{{6}}$"],
        )
        names = [row[0] for row in cursor.fetchall()]
        for name in names:
            cursor.execute(f'DROP TABLE "{name}"')
    return names
