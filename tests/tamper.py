from django.db import connection


def bypass_triggers(sql: str, params=()) -> None:
    """Run SQL the way an attacker with database access would: with the
    append-only triggers (and every other trigger) off, for this statement only."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = origin")
