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


def append_only_trigger(table: str) -> migrations.RunPython:
    """A migration operation that makes PostgreSQL refuse UPDATE and DELETE on
    ``table``. (TRUNCATE stays possible: it is not an application operation, and
    the test harness empties tables with it between tests.) Other databases rely
    on AppendOnlyModel's checks alone."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION icentrex_refuse_evidence_change()",
            params=None,
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")

    return migrations.RunPython(forwards, backwards, elidable=False)
