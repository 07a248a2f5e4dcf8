"""The embedded profile's web server, worker and beat write one SQLite file at
once. With WAL and IMMEDIATE transactions (share_sqlite_between_processes) they
queue on the busy timeout; with SQLite's default (DEFERRED), a transaction that
reads and then writes fails with "database is locked" when another process
committed in between — the same workload shows both."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 4
TRANSACTIONS = 60

# One writer: read, then write, in one transaction, as services do (count, then insert).
WRITER = """
import os, sys, time
from django.conf import settings
if sys.argv[1] == "deferred":
    settings.DATABASES["default"]["OPTIONS"].pop("transaction_mode")
import django
django.setup()
from django.contrib.sessions.models import Session
from django.db import OperationalError, transaction
from django.utils import timezone
failures = 0
for n in range(int(sys.argv[2])):
    try:
        with transaction.atomic():
            Session.objects.count()
            time.sleep(0.002)
            Session.objects.create(
                session_key=f"{os.getpid()}-{n}", session_data="x", expire_date=timezone.now()
            )
    except OperationalError as error:
        assert "locked" in str(error), error
        failures += 1
print(failures)
"""


def run_writers(tmp_path, mode: str) -> tuple[int, int]:
    database = tmp_path / f"{mode}.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")},
        "DJANGO_SETTINGS_MODULE": "icentrex.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "LOCAL_STATE_DIR": str(tmp_path / "var"),
        "SQLITE_BUSY_TIMEOUT_SECONDS": "30",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "sessions", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, mode, str(TRANSACTIONS)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WRITERS)
    ]
    failures = 0
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err[-2000:]
        failures += int(out.strip())
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT count(*) FROM django_session").fetchone()[0]
    return failures, rows


def test_concurrent_writers_all_succeed_with_the_embedded_settings(tmp_path):
    failures, rows = run_writers(tmp_path, "immediate")
    assert failures == 0
    assert rows == WRITERS * TRANSACTIONS


def test_the_same_writers_fail_with_sqlites_default_transactions(tmp_path):
    failures, rows = run_writers(tmp_path, "deferred")
    assert failures > 0 and rows == WRITERS * TRANSACTIONS - failures
