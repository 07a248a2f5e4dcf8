"""Operations benchmark (issue 22), against gunicorn with 2 sync workers.

- /readyz and /healthz: latency of one probe after another, as a load balancer sends them;
- /metrics: scrape time and size once every route has been counted (every label set
  registered), with nothing waiting and again with the evidence the load below left
  waiting for its log (no integrator runs here), the worst case a scrape meets;
- the consent POST against the bare INSERT, on a server with metrics and JSON logging on
  and on one without them (bench/settings_bare.py), one server at a time, alternating,
  PAIRS times: the ratio on each, and the consent POST with telemetry against without.
"""

import http.client
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import gunicorn
from bench.consent import POST_LUA, SETTINGS, _setup, _wrk

PROBES = 500
SCRAPES = 50


def _sequential_gets(port: int, path: str, count: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times, size, statuses = [], 0, set()
    for _ in range(count):
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        times.append(time.perf_counter() - started)
        size, statuses = len(body), statuses | {response.status}
    conn.close()
    times.sort()
    return {
        "requests": count,
        "statuses": sorted(statuses),
        "p50_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(times[int(count * 0.95)] * 1000, 2),
        "p99_ms": round(times[int(count * 0.99)] * 1000, 2),
        "bytes": size,
        "_last_body": body,
    }


def _scrape(port: int) -> dict:
    result = _sequential_gets(port, "/metrics", SCRAPES)
    text = result.pop("_last_body").decode()
    result["series"] = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
    pending = [
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("icentrex_evidence_pending_rows")
    ]
    result["evidence_rows_waiting"] = int(sum(pending))
    return result


def _every_route(port: int) -> int:
    """GET every page that takes no argument, anonymously: each (method, route,
    status) it answers with is then a registered label set."""
    from django.urls import NoReverseMatch, get_resolver, reverse

    paths = set()
    for name in get_resolver().reverse_dict:
        if isinstance(name, str):
            try:
                paths.add(reverse(name))
            except NoReverseMatch:
                continue
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path in sorted(paths):
        conn.request("GET", path, headers={"Host": "localhost"})
        conn.getresponse().read()
    conn.close()
    return len(paths)


def _consent_pair(server_env: dict, post: str, log_path: Path) -> dict:
    """The bare INSERT view and the consent POST on one server (2 workers), one after the other."""
    with gunicorn(server_env, log_path=log_path) as (base, _port):
        _wrk(base + "/_bench/insert", post, seconds=3)  # warm the workers and their connections
        _wrk(base + "/api/v1/consent", post, seconds=3)
        insert = _wrk(base + "/_bench/insert", post)
        consent = _wrk(base + "/api/v1/consent", post)
    return {
        "bare_insert": insert,
        "consent_post": consent,
        "ratio": round(consent["req_per_s"] / insert["req_per_s"], 3),
    }


def run(env: dict, pairs: int = 3) -> dict:
    server_env, body = _setup(env)
    full_env = {**server_env, "ACCESS_LOG_LEVEL": "INFO", "LOG_FORMAT": "json"}
    bare_env = {**server_env, "DJANGO_SETTINGS_MODULE": "bench.settings_bare", "ACCESS_LOG_LEVEL": "WARNING"}
    logs = Path(tempfile.mkdtemp(prefix="icentrex-bench-logs-"))
    post = POST_LUA % body
    from audit.streams import logged_streams
    from audit.transparency import log_integrate_all

    for stream in logged_streams():
        log_integrate_all(stream.name, stream.log)
    with gunicorn(full_env, log_path=logs / "probes.log") as (_base, port):
        _sequential_gets(port, "/readyz", 20)  # the migration graph is read once per process
        readiness = _sequential_gets(port, "/readyz", PROBES)
        liveness = _sequential_gets(port, "/healthz", PROBES)
        readiness.pop("_last_body"), liveness.pop("_last_body")
        routes = _every_route(port)
        scrape_quiet = _scrape(port)

    # One server at a time, with telemetry and without, alternating: the noise of the machine
    # falls on both sides alike.
    runs = []
    for number in range(pairs):
        with_telemetry = _consent_pair(full_env, post, logs / f"full-{number}.log")
        without = _consent_pair(bare_env, post, logs / f"bare-{number}.log")
        runs.append(
            {
                "with_metrics_and_json_logs": with_telemetry,
                "without_telemetry": without,
                "consent_with_vs_without_telemetry": round(
                    with_telemetry["consent_post"]["req_per_s"] / without["consent_post"]["req_per_s"], 3
                ),
                "consent_with_telemetry_vs_bare_insert_without": round(
                    with_telemetry["consent_post"]["req_per_s"] / without["bare_insert"]["req_per_s"], 3
                ),
            }
        )
    with gunicorn(full_env, log_path=logs / "scrape.log") as (_base, port):
        scrape_backlog = _scrape(port)
    return {
        "readyz": readiness,
        "healthz": liveness,
        "metrics_scrape": {
            "routes_requested": routes,
            "nothing_waiting": scrape_quiet,
            "after_load": scrape_backlog,
        },
        "consent_post_telemetry": {
            "runs": runs,
            "ratio_with_telemetry": [r["with_metrics_and_json_logs"]["ratio"] for r in runs],
            "ratio_without_telemetry": [r["without_telemetry"]["ratio"] for r in runs],
            "consent_with_vs_without_telemetry": [r["consent_with_vs_without_telemetry"] for r in runs],
            "consent_with_telemetry_vs_bare_insert_without": [
                r["consent_with_telemetry_vs_bare_insert_without"] for r in runs
            ],
            "json_log_lines_written": sum(1 for path in logs.glob("full-*.log") for _ in path.open()),
            "settings": SETTINGS,
        },
    }
