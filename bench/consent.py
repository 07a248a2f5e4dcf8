"""Consent benchmark (issue 4), with wrk at 32 connections against gunicorn.

Compares POST /api/v1/consent with a bare Django view doing one INSERT, and
the declaration read (plain and revalidated with If-None-Match) with a bare
JSON view. Needs Debian's wrk; bin/bench installs it when missing."""

import json
import os
import re
import shutil
import subprocess
import tempfile

from bench.common import gunicorn

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))

POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '%s'
"""


def _wrk(
    url: str,
    script: str | None = None,
    headers: dict | None = None,
    connections: int = CONNECTIONS,
    seconds: int = SECONDS,
) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for key, value in (headers or {}).items():
        args += ["-H", f"{key}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    args += ["-s", lua.name, url]
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)

    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return round(value * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _setup(env: dict) -> tuple[dict, str]:
    """The bare-INSERT table, the server environment and the decision body."""
    import psycopg

    from cookies.selectors import current_revision

    revision = current_revision().content_hash
    database = env["DATABASE_URL"]
    with psycopg.connect(database.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare_insert "
            "(id bigserial PRIMARY KEY, payload bytea, created_at timestamptz)"
        )
    server_env = {**env, "BENCH_ENDPOINTS": "true", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    body = json.dumps(
        {
            "method": "banner_accept_all",
            "revision": revision,
            "page_url": "https://privacy.icentrex.example/",
        }
    )
    return server_env, body


SETTINGS = {
    "connections": CONNECTIONS,
    "seconds": SECONDS,
    "gunicorn": "2 sync workers",
    "load_generator": "wrk -t2, on the same 2 cores",
}


def run(env: dict) -> dict:
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (Debian: apt-get install -y wrk)"}
    server_env, body = _setup(env)
    revision = json.loads(body)["revision"]
    with gunicorn(server_env) as (base, _port):
        _wrk(base + "/_bench/json")  # warm up workers and connections
        results = {
            "bare_json_view": _wrk(base + "/_bench/json"),
            "declaration_get": _wrk(base + "/api/v1/cookies/declaration"),
            "declaration_get_if_none_match": _wrk(
                base + "/api/v1/cookies/declaration", headers={"If-None-Match": f'"{revision}"'}
            ),
            "bare_insert_view": _wrk(base + "/_bench/insert", POST_LUA % body),
            "consent_post": _wrk(base + "/api/v1/consent", POST_LUA % body),
        }
    insert, consent = results["bare_insert_view"]["req_per_s"], results["consent_post"]["req_per_s"]
    bare_json = results["bare_json_view"]["req_per_s"]
    results["ratios"] = {
        "consent_post_vs_bare_insert": round(consent / insert, 3),
        "declaration_vs_bare_json": round(results["declaration_get"]["req_per_s"] / bare_json, 3),
        "declaration_304_vs_bare_json": round(
            results["declaration_get_if_none_match"]["req_per_s"] / bare_json, 3
        ),
    }
    results["settings"] = SETTINGS
    return results


def run_pairs(env: dict, pairs: int) -> dict:
    """The bare INSERT view and the consent POST back to back, ``pairs`` times:
    on a shared machine the ratio of neighbouring runs is steadier than either figure."""
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (Debian: apt-get install -y wrk)"}
    server_env, body = _setup(env)
    runs = []
    with gunicorn(server_env) as (base, _port):
        _wrk(base + "/_bench/insert", POST_LUA % body)  # warm up workers and connections
        _wrk(base + "/api/v1/consent", POST_LUA % body)
        for _ in range(pairs):
            insert = _wrk(base + "/_bench/insert", POST_LUA % body)
            consent = _wrk(base + "/api/v1/consent", POST_LUA % body)
            runs.append(
                {
                    "bare_insert_view": insert,
                    "consent_post": consent,
                    "ratio": round(consent["req_per_s"] / insert["req_per_s"], 3),
                }
            )
    return {"runs": runs, "ratios": [r["ratio"] for r in runs], "settings": SETTINGS}
