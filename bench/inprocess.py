"""In-process timing of the consent POST beside the bare INSERT view (issue 4).

    BENCH_DB=... .venv/bin/python bench/inprocess.py [N] [--profile consent|insert]

Calls the WSGI application directly with prepared environs, as gunicorn would,
N times each (default 3000), alternating in rounds, and prints wall-clock and
Python CPU ms per request (the CPU figure leaves out waiting for PostgreSQL and
is the steadier one on a shared machine). Server time without the network. Expects
the database bin/bench made (run bin/bench consent-post once first)."""

import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import ENV  # noqa: E402


def environ_for(path: str, body: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "wrk",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def main(argv):
    os.environ.update({**ENV, "BENCH_ENDPOINTS": "true", "ALLOWED_HOSTS": "127.0.0.1,localhost"})
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    from cookies.selectors import current_revision

    app = get_wsgi_application()
    body = json.dumps(
        {
            "method": "banner_accept_all",
            "revision": current_revision().content_hash,
            "page_url": "https://privacy.icentrex.example/",
        }
    ).encode()
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def call(path):
        response = app(environ_for(path, body), start_response)
        b"".join(response)
        response.close()

    cpu = {}

    def timed(path, n):
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(n):
            call(path)
        cpu.setdefault(path, []).append((time.process_time() - cpu_started) / n * 1000)
        return (time.perf_counter() - started) / n * 1000

    n = int(argv[0]) if argv and argv[0].isdigit() else 3000
    paths = {"insert": "/_bench/insert", "consent": "/api/v1/consent"}
    for path in paths.values():
        timed(path, 200)  # warm up
    assert all(s.startswith("201") for s in statuses), set(statuses)
    if "--profile" in argv:
        path = paths[argv[argv.index("--profile") + 1]]
        profiler = cProfile.Profile()
        profiler.enable()
        timed(path, n)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        return
    results = {"insert": [], "consent": []}
    cpu.clear()
    for _ in range(5):
        for name, path in paths.items():
            results[name].append(timed(path, n // 5))
    best = {name: round(min(ms), 3) for name, ms in results.items()}
    best_cpu = {name: round(min(cpu[path]), 3) for name, path in paths.items()}
    print(
        json.dumps(
            {
                "ms_per_request_best_of_5": best,
                "python_cpu_ms_per_request_best_of_5": best_cpu,
                "all_rounds": {k: [round(x, 3) for x in v] for k, v in results.items()},
                "insert_vs_consent_time": round(best["insert"] / best["consent"], 3),
                "insert_vs_consent_python_cpu": round(best_cpu["insert"] / best_cpu["consent"], 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
