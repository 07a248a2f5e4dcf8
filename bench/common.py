import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

from tools.net import free_port

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def gunicorn(env: dict, workers: int = 2, log_path: Path | None = None):
    """Serve the app with gunicorn on a free loopback port; yields its base URL.
    What the app logs (a JSON line per request) goes to ``log_path`` when given,
    as a production server's would go to a file or a collector, not a terminal."""
    port = free_port()
    log = log_path.open("w") if log_path else None
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "icentrex.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=log,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", port
    finally:
        server.terminate()
        server.wait(timeout=10)
        if log:
            log.close()


def celery_worker(env: dict, name: str, log_path: Path, *options: str) -> subprocess.Popen:
    """A Celery worker process for a benchmark (``options`` such as
    ``--pool=solo`` or ``--concurrency=2``), logging to ``log_path`` because
    stdout is for the JSON report. Returns once it answers a ping: start-up is
    not part of what is measured."""
    from icentrex.celery import app

    hostname = f"bench-{name}@localhost"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "icentrex",
            "worker",
            *options,
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            hostname,
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and worker.poll() is None:
        if app.control.ping(destination=[hostname], timeout=0.5):
            return worker
    raise RuntimeError(f"the Celery worker did not start; see {log_path}")
