"""bin/cluster, the rehearsal of the production topology, run for real: a
PostgreSQL primary and replica, Redis with AOF, two web servers, workers on
separate queues, two beats and the integrator; the bulk worker and the active
beat are killed mid-run and nothing is lost or duplicated."""

import contextlib
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.worker
def test_the_rehearsal_loses_and_duplicates_nothing_when_a_worker_and_the_beat_die():
    result = subprocess.run(
        [sys.executable, "tools/cluster.py", "--people", "200", "--decisions", "300"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["nothing_lost_or_duplicated"] is True
    assert report["processes_stopped"] is True
    assert set(report["killed"]) >= {"worker-bulk"} and len(report["killed"]) == 2
    assert report["result"]["consent_records"] == report["decisions"]["created"] == 300
    assert report["result"]["people_emailed"] == report["people"]
    # The standby waited for the dead beat's lock to expire (10 s in the rehearsal), no longer.
    assert report["standby_beat_took_over_after_seconds"] <= 10 + 5


def _running_in(groups: set[int]) -> list[str]:
    """Processes, zombies aside, that are one of these PIDs or in the process group of one
    (a gunicorn or Celery worker's children, PostgreSQL's backends)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):  # a process that ended while being read
            pid, rest = stat.read_text().split(" (", 1)
            command, fields = rest.rsplit(") ", 1)
            state, _parent, group = fields.split()[:3]
            if state != "Z" and (int(pid) in groups or int(group) in groups):
                found.append(f"{pid} {command}")
    return found


@pytest.mark.worker
def test_sigterm_stops_every_process_the_rehearsal_started():
    """A CI job's timeout sends SIGTERM; every process the rehearsal started, each in a
    session of its own and PostgreSQL detached by pg_ctl, must still be stopped."""
    rehearsal = subprocess.Popen(
        [sys.executable, "tools/cluster.py", "--people", "20", "--decisions", "20"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        progress = ""
        for line in rehearsal.stderr:
            progress += line
            if line.startswith("started integrator,"):  # the last one it starts before the scenario
                break
        rehearsal.send_signal(signal.SIGTERM)
        progress += rehearsal.stderr.read()
        rehearsal.wait(timeout=60)
    finally:
        if rehearsal.poll() is None:
            rehearsal.kill()
    started = {name: int(pid) for name, pid in re.findall(r"^started (\S+), pid (\d+)$", progress, re.M)}
    assert rehearsal.returncode == 128 + signal.SIGTERM, progress[-3000:]
    assert set(started) >= {"postgres-primary", "postgres-replica", "redis", "web-1", "web-2", "integrator"}
    assert _running_in(set(started.values())) == []
