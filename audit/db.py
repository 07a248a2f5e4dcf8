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


def _refuse_truncate(schema_editor, table: str) -> None:
    schema_editor.execute(_TRUNCATE_FUNCTION, params=None)
    schema_editor.execute(
        f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION icentrex_refuse_evidence_truncate()",
        params=None,
    )


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
