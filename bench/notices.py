"""Policy change notices to 100,000 users (issue 5).

A real Celery worker (prefork, 2 processes) and Redis, a counting SMTP sink in
its own process, the bench database. Publishing a version starts the fan-out;
we time it until every notice is recorded and every email handed to the sink,
and read the worker processes' peak memory (VmHWM) from /proc. The query count
is measured in process for one range: the fan-out's queries are that times the
number of ranges (users / POLICY_NOTICE_CHUNK_SIZE), not proportional to users."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, celery_worker
from tools.net import free_port

USERS = int(os.environ.get("BENCH_NOTICE_USERS", "100000"))


def _seed_users(count: int) -> None:
    from django.db import connection

    # COPY: seeding 100,000 accounts is set-up, not what we measure.
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY accounts_user (password, is_superuser, email, name, language, is_active, is_staff,"
            " date_joined) FROM STDIN"
        ) as copy,
    ):
        for i in range(count):
            copy.write_row(("!", False, f"reader{i}@example.org", "", "", True, False, "2026-01-01 00:00+00"))


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _publish():
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import User
    from accounts.staff_roles import StaffRole
    from policies.models import PolicyDocument
    from policies.selectors import version_in_force
    from policies.services import policy_draft_create

    officer, _ = User.objects.get_or_create(email="officer@example.org")
    officer.groups.add(Group.objects.get_or_create(name=StaffRole.PRIVACY_OFFICER)[0])
    document = PolicyDocument.objects.get(slug="privacy")
    return policy_draft_create(
        actor=officer,
        document=document,
        body=version_in_force(document=document).body + f"\n\nBenchmark change {timezone.now()}.\n",
        summary="A benchmark change.",
        effective_at=timezone.now(),
        material=False,
        publish=True,
    )


def _queries_per_range() -> dict:
    """One range of POLICY_NOTICE_CHUNK_SIZE users, in process, counted."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from policies.models import NoticeRun
    from policies.services import notice_chunk_deliver, notice_run_plan

    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}):
        version = _publish()
        _purge()  # its fan-out is driven here, in process, not by a worker
        run = NoticeRun.objects.get(version=version)
        chunk_ids = notice_run_plan(run_id=run.pk)
        with CaptureQueriesContext(connection) as queries:
            notice_chunk_deliver(chunk_id=chunk_ids[len(chunk_ids) // 2])
    return {"users_per_range": settings.POLICY_NOTICE_CHUNK_SIZE, "queries_per_range": len(queries)}


def _purge() -> None:
    from icentrex.celery import app

    app.control.purge()


def run(env: dict) -> dict:
    from policies.models import NoticeRun, PolicyNotice

    _purge()  # nothing left over from an earlier run
    _seed_users(USERS)
    port = free_port()
    count_file = Path(tempfile.mkdtemp()) / "sink.json"
    sink = subprocess.Popen([sys.executable, "-m", "bench.smtp_sink", str(port), str(count_file)], cwd=ROOT)
    worker_env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    worker = celery_worker(worker_env, "notices", count_file.with_name("worker.log"), "--concurrency=2")
    try:
        started = time.monotonic()
        version = _publish()
        run_ = NoticeRun.objects.get(version=version)
        sent, peak = 0, {}
        while time.monotonic() - started < 600:
            for pid in _children(worker.pid):
                peak[pid] = max(peak.get(pid, 0), _peak_mb(pid))
            sink_count = json.loads(count_file.read_text()) if count_file.exists() else {"messages": 0}
            run_.refresh_from_db()
            if run_.status == NoticeRun.Status.DONE and sink_count["messages"] >= run_.recipient_count:
                break
            time.sleep(0.5)
        seconds = time.monotonic() - started
        notices = PolicyNotice.objects.filter(version=version)
        sent = notices.filter(channel="email", status="sent").count()
        report = {
            "users": run_.recipient_count,
            "seconds": round(seconds, 1),
            "notices_recorded": notices.count(),
            "emails_sent": sent,
            "emails_at_sink": sink_count["messages"],
            "distinct_recipients_at_sink": sink_count["recipients"],
            "notices_per_s": round(notices.count() / seconds, 1),
            "emails_per_s": round(sent / seconds, 1),
            "worker_processes": len(peak),
            "worker_peak_mb": sorted(peak.values()),
            "finished": run_.status == NoticeRun.Status.DONE,
        }
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        sink.terminate()
        sink.wait(timeout=10)
    report.update(_queries_per_range())
    report["ranges"] = run_.chunks.count()
    return report
