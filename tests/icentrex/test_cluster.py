"""bin/cluster, the rehearsal of the production topology, run for real: a
PostgreSQL primary and replica, Redis with AOF, two web servers, workers on
separate queues, two beats and the integrator; the bulk worker and the active
beat are killed mid-run and nothing is lost or duplicated."""

import json
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
