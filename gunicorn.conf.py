"""gunicorn reads this file from the working directory on every start (bin/run,
bin/cluster, production): settings on the command line still win.

Metrics under several worker processes (icentrex/metrics.py): every worker
writes its counters to files in PROMETHEUS_MULTIPROC_DIR and a scrape, answered
by any worker, adds them up. The folder must be set before a worker imports
prometheus_client and must be empty when the server starts (old files would be
counted again), so the master sets it up here, before it forks.
"""

import os
import shutil
import tempfile
from pathlib import Path

_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
# A folder made here is this server's alone, and removed when it stops; one the
# environment names is the operator's, and only emptied.
_metrics_dir_is_ours = not _metrics_dir
if _metrics_dir_is_ours:
    _metrics_dir = tempfile.mkdtemp(prefix="icentrex-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir

# One JSON line per request comes from the app (icentrex.telemetry), with the route
# instead of the path: gunicorn's own access log would write paths that hold secrets.
accesslog = None


def on_starting(server):
    folder = Path(_metrics_dir)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    # A dead worker's gauges are dropped; its counters stay counted (prometheus_client's rule).
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _metrics_dir_is_ours:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
