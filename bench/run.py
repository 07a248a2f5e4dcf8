"""Benchmarks, printed as JSON.

    .venv/bin/python bench/run.py            (or: bin/bench)
    bin/bench consent                        only the consent benchmark (wrk)
    bin/bench consent-post [PAIRS]           only bare INSERT vs consent POST, PAIRS
                                             times back to back (default 3), with ratios
    bin/bench consent-signals                only GPC page views from one device (10,000 with the
                                             signal write one record; with vs without it side by
                                             side) and the banner scripts' gzipped size
    bin/bench disclosures                    only the email disclosure job (1,000,000 people,
                                             or $BENCH_DISCLOSURE_USERS); not part of the full run
    bin/bench masking                        only the support-case masking engine (in process)
    bin/bench masking-peer                   the masking engine beside Microsoft Presidio (pattern
                                             recognizers only) on every corpus, in a separate
                                             virtual environment .venv-peer (not in the full run)
    bin/bench data-requests                  only a person's export and erasure (50,000 consent
                                             records, 100,000 sharing events; a real worker)
    bin/bench transparency                   only the transparency logs: consent POST with the
                                             integrator running and its lag, integration cost at
                                             0 and 5M records, proofs at 10M leaves, a full audit
                                             of 1M records, a witness round (not in the full run)
    bin/bench registers                      only the privacy officer's registers: the request
                                             queue with 100,000 requests, yearly figures over
                                             1,000,000 (not in the full run)
    bin/bench records                        only the records of processing: 1,000 providers, 50
                                             models, 10,000 organisations (not in the full run)
    bin/bench operations [PAIRS]             only /readyz and /healthz latency, a /metrics scrape with every
                                             route counted, and the consent POST with metrics and JSON
                                             logs on vs the bare INSERT and the consent POST without them
    bin/bench partitions                     only partitioned evidence: the consent POST with an empty
                                             table and beside 50 million records, and a month of 10
                                             million purged by dropping its partition vs row by row
                                             (about 40 minutes and 30 GB; not in the full run)
    bin/bench replicas                       only replica offload: a primary and a streaming replica of
                                             its own, a mix of reads and writes, the share of the
                                             SELECTs the replica served (not in the full run)
    bin/bench transparency-load [PAIRS]      only the consent POST vs bare INSERT, without and
                                             with the integrator, and the integration lag

Needs PostgreSQL and Redis like the tests (same URLs/defaults). Uses its own
database (icentrex_bench, or $BENCH_DB; recreated each run) and serves the app with gunicorn
(2 sync workers, as a small production box would) on a loopback port. The load
client runs on the same 2 cores, so figures are a floor, not a ceiling.
"""

import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import gunicorn  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "icentrex_bench")
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "icentrex.settings.local",
    "DEBUG": "false",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/12"),
    "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/12"),
    "LOG_LEVEL": "WARNING",
    "CONN_MAX_AGE": "600",
}
DURATION = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENT_THREADS = int(os.environ.get("BENCH_THREADS", "8"))


def manage(*args) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True
    ).stdout


def recreate_database():
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    manage("migrate", "--noinput", "-v", "0")


def django_setup():
    os.environ.update(ENV)
    import django

    django.setup()


def load(port: int, method: str, path: str, headers: dict, body_for=None) -> dict:
    """Closed-loop load: CLIENT_THREADS keep-alive connections for DURATION seconds."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + DURATION

    def worker(n: int):
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, bad, i = [], 0, 0
        while time.monotonic() < stop:
            body = body_for(n, i) if body_for else None
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            bad += response.status >= 400
            i += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENT_THREADS)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "req_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
    }


def bench_http(token: str) -> dict:
    with gunicorn(ENV) as (_base, port):
        auth = {"Authorization": f"Bearer {token}", "Host": "localhost"}
        load(port, "GET", "/api/v1/me", auth)  # warm up connections and caches
        return {
            "get_me_token_auth": load(port, "GET", "/api/v1/me", auth),
            "patch_me_with_chained_audit_event": load(
                port,
                "PATCH",
                "/api/v1/me",
                {**auth, "Content-Type": "application/json"},
                body_for=lambda n, i: json.dumps({"name": f"Bench {n}-{i}"}),
            ),
            "home_page_html": load(port, "GET", "/", {"Host": "localhost"}),
        }


def bench_audit_chain() -> dict:
    from accounts.models import User
    from audit.events import EventType
    from audit.selectors import audit_chain_verify
    from audit.services import audit_record

    user = User.objects.get(email="bench@example.org")
    count = 3000
    started = time.perf_counter()
    for i in range(count):
        audit_record(event_type=EventType.USER_PROFILE_CHANGED, actor=user, changes={"n": i})
    write_s = time.perf_counter() - started
    started = time.perf_counter()
    checked, broken = audit_chain_verify()
    verify_s = time.perf_counter() - started
    assert broken is None
    return {
        "sequential_appends": count,
        "appends_per_s": round(count / write_s, 1),
        "verified_rows": checked,
        "verify_rows_per_s": round(checked / verify_s, 1),
    }


def _masking_peer():
    """Presidio is not a dependency of the project: it gets its own virtual
    environment, made once from the package registry with pinned versions."""
    from bench.masking_peer import PEER_REQUIREMENTS

    peer = ROOT / ".venv-peer"
    python = peer / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(peer)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_REQUIREMENTS], check=True)
    subprocess.run([str(python), str(ROOT / "bench" / "masking_peer.py")], check=True)


def main(argv: list[str]):
    recreate_database()
    django_setup()
    from accounts.models import User
    from accounts.services import api_token_create
    from bench import (
        consent,
        consent_signals,
        data_requests,
        disclosures,
        integrations,
        masking,
        notices,
        operations,
        organizations,
        partitions,
        records,
        registers,
        replicas,
        transparency,
    )

    if argv[:1] == ["consent"]:
        print(json.dumps({"consent": consent.run(ENV)}, indent=2))
        return
    if argv[:1] == ["consent-post"]:
        pairs = int(argv[1]) if len(argv) > 1 else 3
        print(json.dumps({"consent_post_pairs": consent.run_pairs(ENV, pairs)}, indent=2))
        return
    if argv[:1] == ["operations"]:
        pairs = int(argv[1]) if len(argv) > 1 else 3
        print(json.dumps({"operations": operations.run(ENV, pairs)}, indent=2))
        return
    if argv[:1] == ["partitions"]:
        print(json.dumps({"partitions": partitions.run(ENV)}, indent=2))
        return
    if argv[:1] == ["replicas"]:
        print(json.dumps({"replicas": replicas.run()}, indent=2))
        return
    if argv[:1] == ["consent-signals"]:
        print(json.dumps({"consent_signals": consent_signals.run(ENV)}, indent=2))
        return
    if argv[:1] == ["notices"]:
        print(json.dumps({"policy_notices_100k": notices.run(ENV)}, indent=2))
        return
    if argv[:1] == ["integrations"]:
        print(json.dumps({"integrations": integrations.run(ENV)}, indent=2))
        return
    if argv[:1] == ["masking"]:
        print(json.dumps({"support_masking": masking.run()}, indent=2))
        return
    if argv[:1] == ["masking-peer"]:
        _masking_peer()
        return
    if argv[:1] == ["disclosures"]:
        print(json.dumps({"email_disclosures": disclosures.run(ENV)}, indent=2))
        return
    if argv[:1] == ["transparency-load"]:
        pairs = int(argv[1]) if len(argv) > 1 else 3
        print(json.dumps({"transparency_under_load": transparency.under_load(ENV, pairs)}, indent=2))
        return
    if argv[:1] == ["transparency"]:
        print(json.dumps({"transparency": transparency.run(ENV)}, indent=2))
        return
    if argv[:1] == ["registers"]:
        print(json.dumps({"registers": registers.run()}, indent=2))
        return
    if argv[:1] == ["records"]:
        print(json.dumps({"records_of_processing": records.run()}, indent=2))
        return
    if argv[:1] == ["data-requests"]:
        print(json.dumps({"data_requests": data_requests.run(ENV)}, indent=2))
        return
    if argv:
        sys.exit(
            f"unknown benchmark {argv[0]!r}: use consent, consent-post [PAIRS], consent-signals,"
            " operations [PAIRS], partitions, replicas, notices, integrations,"
            " disclosures, masking, masking-peer, data-requests, registers, records or transparency,"
            " or nothing for all"
        )

    user = User.objects.create_user("bench@example.org", "bench-password-123", name="Bench")
    _token, clear = api_token_create(actor=user, name="bench")

    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "settings": {"gunicorn_workers": 2, "client_threads": CLIENT_THREADS, "seconds_per_run": DURATION},
        "http": bench_http(clear),
        "audit_chain": bench_audit_chain(),
        "consent": consent.run(ENV),
        "consent_signals": consent_signals.run(ENV),
        "organization_10k": {"seed": organizations.seed(), **organizations.members_list()},
        "integrations": integrations.run(ENV),
        "support_masking": masking.run(),
        "data_requests": data_requests.run(ENV),
        # Last: it adds 100,000 accounts to the bench database.
        "policy_notices_100k": notices.run(ENV),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
