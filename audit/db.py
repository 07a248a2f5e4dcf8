"""Database-level protection for append-only evidence tables."""

from django.db import migrations

# The one exception: a retention purge (audit.evidence.evidence_purge) deletes
# rows past their retention period, with a transaction-local setting that only
# that function sets. UPDATE is refused always.
PURGE_SETTING = "icentrex.retention_purge"

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION icentrex_refuse_evidence_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('{PURGE_SETTING}', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def refresh_evidence_function() -> migrations.RunPython:
    """Re-create the trigger function (for databases migrated before it changed)."""
    return migrations.RunPython(
        lambda apps, schema_editor: (
            schema_editor.connection.vendor == "postgresql" and schema_editor.execute(_FUNCTION, params=None)
        ),
        migrations.RunPython.noop,
        elidable=False,
    )


# TRUNCATE empties a table without firing row triggers, so it is refused by a
# statement trigger of its own, unless the session says otherwise: the test
# profile's connections do (the harness empties tables between tests with it).
TRUNCATE_SETTING = "icentrex.allow_truncate"

_TRUNCATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION icentrex_refuse_evidence_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('{TRUNCATE_SETTING}', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'table % is append-only: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def refuse_truncate_sql(table: str) -> str:
    return (
        f'CREATE OR REPLACE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION icentrex_refuse_evidence_truncate()"
    )


def _refuse_truncate(schema_editor, table: str) -> None:
    schema_editor.execute(_TRUNCATE_FUNCTION, params=None)
    schema_editor.execute(refuse_truncate_sql(table), params=None)


def _partitions(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = to_regclass(%s)", [table]
    )
    return [row[0].strip('"') for row in cursor.fetchall()]


def refuse_truncate_on_partitions(table: str) -> migrations.RunPython:
    """Give each partition of ``table`` the TRUNCATE refusal: a statement trigger
    on a partitioned table does not reach its partitions, and ``TRUNCATE
    <month>`` names the partition itself. (Row triggers are cloned to them.)"""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for partition in _partitions(cursor, table):
                    _refuse_truncate(schema_editor, partition)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)


def _tables_with_trigger(schema_editor, suffix: str) -> list[str]:
    """The tables of this schema that have a trigger named ``<table>_<suffix>``."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT event_object_table FROM information_schema.triggers "
            "WHERE event_object_schema = current_schema() AND trigger_name = event_object_table || %s",
            ["_" + suffix],
        )
        return [row[0] for row in cursor.fetchall()]


def refuse_truncate_on_append_only_tables() -> migrations.RunPython:
    """Give every table that already refuses UPDATE and DELETE the TRUNCATE
    refusal too (tables made append-only before it existed)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in _tables_with_trigger(schema_editor, "append_only"):
                _refuse_truncate(schema_editor, table)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in _tables_with_trigger(schema_editor, "no_truncate"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")

    return migrations.RunPython(forwards, backwards, elidable=False)


def append_only_trigger(table: str) -> migrations.RunPython:
    """A migration operation that makes PostgreSQL refuse UPDATE, DELETE and
    TRUNCATE on ``table``. Other databases rely on AppendOnlyModel's checks alone."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION icentrex_refuse_evidence_change()",
            params=None,
        )
        _refuse_truncate(schema_editor, table)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")

    return migrations.RunPython(forwards, backwards, elidable=False)


# --- Monthly partitions (audit.partitions) ---------------------------------------------------


def _one(cursor, sql: str, params=None):
    cursor.execute(sql, params)
    row = cursor.fetchone()
    return row[0] if row else None


def partition_by_month(
    table: str, time_column: str, *, seq_column: str = "seq", months_ahead: int = 12
) -> migrations.RunPython:
    """Turn ``table`` into a table partitioned by calendar month of ``time_column``
    (PostgreSQL; elsewhere nothing changes), keeping every row, its number, its
    indexes, constraints, foreign keys and the append-only triggers:

    - the primary key becomes (seq, time) and every unique key gains the time
      column too — PostgreSQL requires the partition key in them;
    - a partition per month from the oldest row's month to ``months_ahead``
      months ahead, and an archive partition for anything dated earlier;
    - the identity sequence goes on from where it was (from the old sequence,
      not the rows: a table retention emptied must not hand out old numbers again).

    The rows are copied once: on a large table this migration takes as long as
    rewriting it."""

    def forwards(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        from dateutil.relativedelta import relativedelta
        from django.utils import timezone

        from .partitions import month_start, partition_name

        old = f"{table}_unpartitioned"
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
            if _one(cursor, "SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table]) == "p":
                return  # already partitioned
            cursor.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cursor.fetchall()
            oldest = _one(cursor, f'SELECT min("{time_column}") FROM "{table}"')
            last_seq = _one(
                cursor,
                f'SELECT GREATEST((SELECT max("{seq_column}") FROM "{table}"), '
                f"pg_sequence_last_value(pg_get_serial_sequence(%s, %s)))",
                [table, seq_column],
            )
            cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
            for name, kind, _definition in constraints:
                if kind in ("p", "u"):  # their names are needed again on the new table
                    cursor.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "{name}" TO "{name}_old"')
            for name, _definition in indexes:
                cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{name}_old"')
            cursor.execute(
                f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING IDENTITY '
                f'INCLUDING CONSTRAINTS INCLUDING STORAGE) PARTITION BY RANGE ("{time_column}")'
            )
            first = month_start(oldest) if oldest else month_start(timezone.now())
            cursor.execute(
                f'CREATE TABLE "{table}_archive" PARTITION OF "{table}" '
                f"FOR VALUES FROM (MINVALUE) TO ('{first.isoformat()}')"
            )
            start, last = first, month_start(timezone.now()) + relativedelta(months=months_ahead)
            while start <= last:
                end = start + relativedelta(months=1)
                cursor.execute(
                    f'CREATE TABLE "{partition_name(table, start)}" PARTITION OF "{table}" '
                    f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
                )
                start = end
            cursor.execute(f'INSERT INTO "{table}" OVERRIDING SYSTEM VALUE SELECT * FROM "{old}"')
            if last_seq:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [table, seq_column, last_seq]
                )
            for name, kind, definition in constraints:
                if kind in ("p", "u"):
                    columns = definition[definition.index("(") + 1 : definition.index(")")]
                    keyword = "PRIMARY KEY" if kind == "p" else "UNIQUE"
                    definition = f'{keyword} ({columns}, "{time_column}")'
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for _name, definition in indexes:  # made on the parent, they are made on every partition
                cursor.execute(definition)
            cursor.execute(f'DROP TABLE "{old}"')
            cursor.execute(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION icentrex_refuse_evidence_change()"
            )
            _refuse_truncate(schema_editor, table)
            for partition in _partitions(cursor, table):
                _refuse_truncate(schema_editor, partition)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)
