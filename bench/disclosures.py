"""The organisation email disclosure job at scale (issue 7).

1,000,000 people (BENCH_DISCLOSURE_USERS) and 1,000 organisations, each with
one verified domain; one person in five has an address at a verified domain
(some at sub-domains of the claims that include them), the rest at unclaimed
domains or free webmail; every person has an allauth address row, about 3 %
of them unverified (not disclosed), and a third of the matched people are in
one or two of their organisation's teams. Seeded with COPY: set-up, not what
we measure, but its time is reported.

First one range is worked through in process, in a transaction that is
rolled back, with the time of each step (the rows statement, subject keys,
sealing, inserting, then the statement again with nothing new), so a slow run
shows where its time goes. Then a real Celery worker with one process per
lane (a run deals its ranges round-robin to EMAIL_DISCLOSURE_LANES lanes, one
task each) and Redis, the bench database. A scheduled run is started as the hourly beat task starts it
(on commit); we time it until the run row says finished, then time a second
scheduled run, which finds nothing new, and read the worker's peak memory
(VmHWM) from /proc."""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import ROOT, celery_worker
from tools.net import free_port

USERS = int(os.environ.get("BENCH_DISCLOSURE_USERS", "1000000"))
ORGANIZATIONS = 1000
TEAMS_PER_ORGANIZATION = 3
SUB_DOMAINS = ("mail", "sales", "dev")
TARGETS = {"first_run_seconds": 60, "second_run_seconds": 10, "worker_peak_mb": 300}
# A run whose position has not moved for this long is reported as stalled (a
# failing task leaves its run "running": the sweep would resume it later).
STALL_SECONDS = 180


def _people(count: int, first_org: int):
    """(email, verified, organisation id or None, team numbers) per person, the
    same sequence on every call (so each table's COPY can walk it again)."""
    rng = random.Random(7)
    for i in range(count):
        verified = rng.random() >= 0.03
        if i % 5 == 0:  # one in five at a verified domain
            n = (i // 5) % ORGANIZATIONS
            domain = f"org{n}.example"
            if n % 10 == 0 and rng.random() < 0.5:  # claims with include_subdomains
                domain = f"{rng.choice(SUB_DOMAINS)}.{domain}"
            if rng.random() < 0.02:
                domain = domain.upper()  # spelt in capitals: the same domain
            teams = ()
            if rng.random() < 1 / 3:
                teams = tuple(rng.sample(range(TEAMS_PER_ORGANIZATION), rng.randint(1, 2)))
            yield f"person{i}@{domain}", verified, first_org + n, teams
        elif rng.random() < 0.04:
            yield f"person{i}@gmail.com", verified, None, ()
        else:
            yield f"person{i}@unclaimed{i % 5000}.example", verified, None, ()


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(max(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def seed(count: int) -> dict:
    """COPY organisations, claims, teams, people, their addresses and team
    memberships, with explicit ids (then the identity sequences moved past them)."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    verified_at, disclosures_from = now - timedelta(days=2), now - timedelta(days=1)  # waiting time over
    started = time.perf_counter()
    tables = (
        "organizations_organization",
        "organizations_domainclaim",
        "organizations_team",
        "accounts_user",
        "account_emailaddress",
        "organizations_membership",
        "organizations_teammembership",
    )
    with connection.cursor() as cursor:
        org0, team0, user0, address0, member0, team_member0 = (
            _next_id(cursor, table) for table in tables if table != "organizations_domainclaim"
        )
        with cursor.copy("COPY organizations_organization (id, name, slug, created_at) FROM STDIN") as copy:
            for n in range(ORGANIZATIONS):
                copy.write_row((org0 + n, f"Organisation {n:04d} AB", f"org{n}", now))
        with cursor.copy(
            "COPY organizations_domainclaim (organization_id, domain, include_subdomains, token, status,"
            " created_at, verified_at, disclosures_from, last_check_result) FROM STDIN"
        ) as copy:
            for n in range(ORGANIZATIONS):
                claim = (f"org{n}.example", n % 10 == 0, "bench", "verified")  # one in ten with sub-domains
                copy.write_row((org0 + n, *claim, now, verified_at, disclosures_from, "ok"))
        with cursor.copy(
            "COPY organizations_team (id, organization_id, name, slug, created_at) FROM STDIN"
        ) as copy:
            for n in range(ORGANIZATIONS):
                for t in range(TEAMS_PER_ORGANIZATION):
                    copy.write_row(
                        (team0 + n * TEAMS_PER_ORGANIZATION + t, org0 + n, f"Team {t}", f"team-{t}", now)
                    )
        members = []  # (user id, organisation id, team numbers) of the people in teams
        at_claimed = matchable = 0
        with cursor.copy(
            "COPY accounts_user (id, password, is_superuser, email, name, language, is_active, is_staff,"
            " date_joined) FROM STDIN"
        ) as copy:
            for i, (email, verified, org, teams) in enumerate(_people(count, org0)):
                copy.write_row((user0 + i, "!", False, email, "", "", True, False, "2026-01-01 00:00+00"))
                at_claimed += org is not None
                matchable += org is not None and verified
                if teams:
                    members.append((user0 + i, org, teams))
        with cursor.copy(
            'COPY account_emailaddress (id, user_id, email, verified, "primary") FROM STDIN'
        ) as copy:
            for i, (email, verified, _org, _teams) in enumerate(_people(count, org0)):
                copy.write_row((address0 + i, user0 + i, email, verified, True))
        with cursor.copy(
            "COPY organizations_membership (id, organization_id, user_id, role, is_primary_owner, joined_at)"
            " FROM STDIN"
        ) as copy:
            for k, (user_id, org, _teams) in enumerate(members):
                copy.write_row((member0 + k, org, user_id, "member", False, now))
        team_memberships = 0
        with cursor.copy(
            "COPY organizations_teammembership (id, team_id, membership_id, role) FROM STDIN"
        ) as copy:
            for k, (_user_id, org, teams) in enumerate(members):
                for t in teams:
                    team_id = team0 + (org - org0) * TEAMS_PER_ORGANIZATION + t
                    copy.write_row((team_member0 + team_memberships, team_id, member0 + k, "member"))
                    team_memberships += 1
        for table in tables:
            if table != "organizations_domainclaim":
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    # As a production database would be: statistics current, visibility map set.
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {
        "people_at_verified_domains": at_claimed,
        "with_verified_address": matchable,
        "members_in_teams": len(members),
        "team_memberships": team_memberships,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _pss_mb(pid: int) -> float:
    """Proportional set size: shared pages counted once across the worker's
    processes (prefork children share much of their parent's memory), so
    the processes' PSS add up to what the worker really uses."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _status(pid: int) -> dict[str, float]:
    """VmHWM (peak) and VmRSS (now) of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return values


def _scheduled_run(worker: subprocess.Popen, log_path: Path) -> dict:
    """Start a run as the hourly beat task does and wait for the worker to
    finish it. Seconds are the run's own (started_at to finished_at)."""
    from django.db import transaction

    from domains.models import DisclosureRun
    from domains.services import disclosure_run_start

    began = time.monotonic()
    with transaction.atomic():  # the task is enqueued on commit
        run = disclosure_run_start(trigger=DisclosureRun.Trigger.SCHEDULE)

    def lane_positions():
        return list(run.lanes.order_by("number").values_list("next_user_id", flat=True))

    position, moved = lane_positions(), time.monotonic()
    outcome, total_pss = "finished", 0.0
    while True:
        time.sleep(0.2)
        total_pss = max(total_pss, sum(_pss_mb(pid) for pid in [worker.pid, *_children(worker.pid)]))
        run.refresh_from_db()
        if run.status != DisclosureRun.Status.RUNNING:
            outcome = run.status
            break
        if lane_positions() != position:
            position, moved = lane_positions(), time.monotonic()
        if worker.poll() is not None:
            outcome = "worker exited"
            break
        if time.monotonic() - moved > STALL_SECONDS:
            outcome = f"stalled at users {position} for {STALL_SECONDS} s"
            break
    result = {
        "outcome": outcome,
        "wall_seconds": round(time.monotonic() - began, 2),
        "seconds": round((run.finished_at - run.started_at).total_seconds(), 2) if run.finished_at else None,
        "disclosed": run.disclosed,
        "people_matched": run.people_matched,
        "worker_total_pss_mb": round(total_pss, 1),
    }
    if outcome != "finished":
        result["error"] = run.error
        result["worker_log_tail"] = log_path.read_text()[-3000:]
    return result


class _Rollback(Exception):
    pass


def _chunk_breakdown() -> dict:
    """One range from the middle, as the first run meets it and then again
    with nothing new, each step timed, all of it rolled back (and vacuumed
    away, so the worker's runs meet the tables as seeded). Foreign keys are
    checked as each statement runs, not at a commit that never comes. ``sql_s``
    is the part of a step spent waiting for PostgreSQL, the rest is Python."""
    from django.db import connection, transaction
    from django.db.models import Max, Min
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from domains.disclosures import (
        chunk_size,
        compute_rows,
        eligible_claims,
        insert_disclosures,
        new_disclosures,
    )
    from domains.models import DisclosureRun, DisclosureState, EmailDisclosure
    from subjects.models import SubjectLink
    from subjects.services import subject_sealers_for

    size = chunk_size()
    bounds = User.objects.aggregate(first=Min("pk"), last=Max("pk"))
    lo = bounds["first"] + ((bounds["last"] - bounds["first"] + 1) // size // 2) * size
    hi = min(lo + size - 1, bounds["last"])
    eligible_claims()  # a worker builds its free-webmail list once, not per range
    steps = {}

    def step(name, fn):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            value = fn()
            seconds = time.perf_counter() - started
        steps[name] = {
            "s": round(seconds, 3),
            "sql_s": round(sum(float(q["time"]) for q in queries.captured_queries), 3),
            "queries": len(queries.captured_queries),
        }
        return value

    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            run = DisclosureRun.objects.create(trigger=DisclosureRun.Trigger.SCHEDULE, status="finished")
            claims = step("eligible_claims", eligible_claims)
            result = step("compute_rows", lambda: compute_rows(lo=lo, hi=hi, claims=claims, write=True))
            user_ids = [row.user_id for row in result.rows]
            sealers = step("subject_sealers_for", lambda: subject_sealers_for(user_ids=user_ids))
            records = step(
                "new_disclosures", lambda: new_disclosures(rows=result.rows, run_id=run.pk, sealers=sealers)
            )
            step("insert_disclosures", lambda: insert_disclosures(records))
            again = step(
                "compute_rows_nothing_new", lambda: compute_rows(lo=lo, hi=hi, claims=claims, write=True)
            )
            raise _Rollback
    except _Rollback:
        pass
    with connection.cursor() as cursor:
        for model in (DisclosureRun, DisclosureState, EmailDisclosure, SubjectLink):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return {
        "users": hi - lo + 1,
        "people_matched": result.matched,
        "disclosed": len(result.rows),
        "disclosed_nothing_new": len(again.rows),
        "steps": steps,
    }


def run(env: dict) -> dict:
    from django.conf import settings

    from domains.models import EmailDisclosure
    from icentrex.celery import app

    app.control.purge()  # nothing left over from an earlier run
    seeded = seed(USERS)
    breakdown = _chunk_breakdown()
    log_path = Path(tempfile.mkdtemp()) / "worker.log"
    # One thread per lane (EMAIL_DISCLOSURE_LANES, 2) in one worker process: while one lane
    # waits for PostgreSQL the other seals and encrypts, and the worker's memory is one process's.
    lanes = settings.EMAIL_DISCLOSURE_LANES
    # The letters telling each person go to a local SMTP sink, as mail would in production.
    port, letters = free_port(), log_path.with_name("sink.json")
    sink = subprocess.Popen([sys.executable, "-m", "bench.smtp_sink", str(port), str(letters)], cwd=ROOT)
    worker_env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    worker = celery_worker(worker_env, "disclosures", log_path, "--pool=threads", f"--concurrency={lanes}")
    try:
        idle = _status(worker.pid)
        first = _scheduled_run(worker, log_path)
        second = _scheduled_run(worker, log_path) if first["outcome"] == "finished" else None
        memory = {pid: _status(pid) for pid in [worker.pid, *_children(worker.pid)]}
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        sink.terminate()
        sink.wait(timeout=10)
    size = settings.EMAIL_DISCLOSURE_CHUNK_USERS

    def per_s(count):
        return round(count / first["seconds"], 1) if first["seconds"] else None

    report = {
        "cpus": os.cpu_count(),
        # Letters telling people, sent by the same worker while it ran (the rest go after).
        "letters_sent_during_runs": json.loads(letters.read_text())["messages"] if letters.exists() else 0,
        "users": USERS,
        "verified_domains": ORGANIZATIONS,
        "people_at_verified_domains": seeded.pop("people_at_verified_domains"),
        "chunk_users": size,
        "ranges": -(-USERS // size),
        "seed": seeded,
        "first_run_seconds": first["seconds"],
        "first_run_wall_seconds": first["wall_seconds"],
        "first_run_people_matched": first["people_matched"],
        "first_run_disclosed": first["disclosed"],
        "first_run_disclosures_per_s": per_s(first["disclosed"]),
        "first_run_users_per_s": per_s(USERS),
        "second_run_seconds": second and second["seconds"],
        "second_run_wall_seconds": second and second["wall_seconds"],
        "second_run_disclosed": second and second["disclosed"],
        "email_disclosure_rows": EmailDisclosure.objects.count(),
        "worker": f"one process, threads pool, {lanes} threads (one per lane)",
        "worker_idle_mb": idle.get("VmRSS"),
        "worker_peak_mb": max((status.get("VmHWM", 0) for status in memory.values()), default=None),
        # All the worker's processes together (one here), sampled every 0.2 s during the runs.
        "worker_total_pss_peak_mb": max(r["worker_total_pss_mb"] for r in (first, second) if r),
        "targets": TARGETS,
        "met": {
            "first_run_seconds": bool(first["seconds"] and first["seconds"] < TARGETS["first_run_seconds"]),
            "second_run_seconds": bool(
                second and second["seconds"] and second["seconds"] < TARGETS["second_run_seconds"]
            ),
            "worker_peak_mb": all(m.get("VmHWM", 0) < TARGETS["worker_peak_mb"] for m in memory.values())
            and bool(memory),
        },
        "notes": (
            "No subject links are seeded: the first run creates one per disclosed person (a wrapped Fernet "
            "key each), the realistic worst case for a first run. Seconds are the run row's own "
            "(started_at to finished_at, enqueueing included); wall seconds add polling (0.2 s). "
            "people_at_verified_domains counts addresses at claimed domains whether verified or not; "
            "a run matches those with a verified address (seed.with_verified_address). The worker's peak "
            "(VmHWM) includes start-up (worker_idle_mb). "
            "one_range_in_process is measured before the runs, in process, and rolled back."
        ),
    }
    for label, outcome in (("first_run", first), ("second_run", second)):
        if outcome and outcome["outcome"] != "finished":
            report[f"{label}_failure"] = outcome
    report["one_range_in_process"] = breakdown
    return report
