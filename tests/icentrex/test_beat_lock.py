"""Two real beat processes for availability: each periodic job is sent once per
period, and when the active beat is killed the other takes over within the
lock timeout, from where the first left off (celery-redbeat)."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
# A Redis database of its own: the beats' lock, their schedule and the queue counted here.
BEAT_DB = 12
LOCK_TIMEOUT = 4
PERIOD = 1.0


def _redis_url() -> str:
    return re.sub(r"/\d+$", f"/{BEAT_DB}", settings.CELERY_BROKER_URL)


@pytest.fixture
def beats(tmp_path):
    url = _redis_url()
    client = redis.Redis.from_url(url)
    client.flushdb()
    settings_module = tmp_path / "beat_probe_settings.py"
    # The suite's settings with one job every second instead of the real schedule.
    settings_module.write_text(
        "from icentrex.settings.test import *  # noqa\n"
        f"CELERY_BEAT_SCHEDULE = {{'probe': {{'task': 'tests.beat_probe', 'schedule': {PERIOD}}}}}\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "beat_probe_settings",
        "CELERY_BROKER_URL": url,
        "BEAT_LOCK_TIMEOUT_SECONDS": str(LOCK_TIMEOUT),
        "BEAT_MAX_INTERVAL_SECONDS": "1",
    }
    started = []

    def start(name: str):
        log = (tmp_path / f"{name}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "icentrex", "beat", "--loglevel", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process, Path(log.name)

    yield start, client
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    client.flushdb()


def sent(client) -> int:
    """Jobs beat has sent: messages waiting in the default queue (no worker takes them)."""
    return client.llen("celery")


def holds_lock(log: Path) -> bool:
    return "Acquired lock" in log.read_text()


def test_two_beats_send_each_job_once_and_the_standby_takes_over(beats):
    start, client = beats
    first, first_log = start("first")
    wait_for(lambda: holds_lock(first_log), timeout=60, what="the first beat to take the lock")
    second, second_log = start("second")
    wait_for(lambda: sent(client) >= 2, timeout=30, what="the first jobs")
    time.sleep(2)  # the second beat is up and waiting for the lock
    assert second.poll() is None and not holds_lock(second_log)

    # Both running: once per period, not twice.
    began, count = time.monotonic(), sent(client)
    time.sleep(8)
    elapsed, jobs = time.monotonic() - began, sent(client) - count
    assert elapsed / PERIOD - 2 <= jobs <= elapsed / PERIOD + 1, (jobs, elapsed)

    # The active beat dies without a word; the other takes over within the lock timeout.
    first.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    first.wait(timeout=10)
    wait_for(lambda: holds_lock(second_log), timeout=LOCK_TIMEOUT + 10, what="the standby to take the lock")
    took_over_after = time.monotonic() - killed_at
    assert took_over_after <= LOCK_TIMEOUT + 2, took_over_after

    wait_for(lambda: sent(client) > count + jobs, timeout=10, what="jobs from the new beat")
    began, count = time.monotonic(), sent(client)
    time.sleep(6)
    elapsed, jobs = time.monotonic() - began, sent(client) - count
    assert elapsed / PERIOD - 2 <= jobs <= elapsed / PERIOD + 1, (jobs, elapsed)
    # The schedule (when each job last ran) is in Redis, shared by both beats.
    assert client.exists("icentrex:beat:probe")
