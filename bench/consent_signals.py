"""Consent signals benchmark (issue 19), with wrk against gunicorn.

- Global Privacy Control as a persistent preference: at least 10,000 page views
  with ``Sec-GPC: 1`` from one device (one consent cookie) must write one record;
  page views with and without the signal side by side.
- The tracker report endpoint under load: reports counted (rate limit lifted)
  and the rows that writes per 1,000 reports; and one device over its limit,
  refused with 429.
- The banner scripts' size, gzipped, now and at a given git revision.
"""

import gzip
import http.client
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import gunicorn
from bench.consent import _wrk

ROOT = Path(__file__).resolve().parent.parent
BANNER_SCRIPTS = ("static/js/consent.js", "static/js/embed.js")
ALSO_SHIPPED = ("static/js/consent-mode.js",)
# The last commit before issue 19's banner work: "before" in the size figures.
BEFORE = "9dd3a1a"
PAGE_VIEWS = 10_000
PAGE = {"Accept": "text/html", "Sec-Fetch-Dest": "document"}


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def script_sizes() -> dict:
    def at(revision: str | None, path: str) -> bytes | None:
        if revision is None:
            return (ROOT / path).read_bytes()
        shown = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True)
        return shown.stdout if shown.returncode == 0 else None

    sizes = {}
    for label, revision in (("before", BEFORE), ("after", None)):
        files = {path: at(revision, path) for path in (*BANNER_SCRIPTS, *ALSO_SHIPPED)}
        sizes[label] = {
            Path(path).name: {"bytes": len(data), "gzip_bytes": _gzipped(data)}
            for path, data in files.items()
            if data is not None
        }
        sizes[label]["consent_and_embed_gzip_bytes"] = sum(
            _gzipped(files[path]) for path in BANNER_SCRIPTS if files[path] is not None
        )
    sizes["budget_gzip_bytes"] = 15 * 1024
    return sizes


def _first_view(base: str) -> str:
    """One page view with the signal: the device's consent cookie it sets."""
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request("GET", "/", headers={**PAGE, "Sec-GPC": "1"})
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie") or ""
    connection.close()
    return cookie.split(";", 1)[0]


def gpc_page_views(env: dict) -> dict:
    from consent.models import ConsentRecord

    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (Debian: apt-get install -y wrk)"}
    server_env = {**env, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    before = ConsentRecord.objects.count()
    with gunicorn(server_env) as (base, _port):
        cookie = _first_view(base)
        assert cookie.startswith("icx_consent="), cookie
        headers = {**PAGE, "Cookie": cookie}
        _wrk(base + "/", headers=headers, connections=8)  # warm up
        runs, views = [], 0
        while views < PAGE_VIEWS:
            with_signal = _wrk(base + "/", headers={**headers, "Sec-GPC": "1"}, connections=8)
            without = _wrk(base + "/", headers=headers, connections=8)
            views += with_signal["requests"]
            runs.append(
                {
                    "with_gpc": with_signal,
                    "without_gpc": without,
                    "ratio": round(with_signal["req_per_s"] / without["req_per_s"], 3),
                }
            )
    written = ConsentRecord.objects.count() - before
    return {
        "page_views_with_gpc": views + 1,
        "records_written": written,
        "runs": runs,
        "settings": {"connections": 8, "page": "/", "gunicorn": "2 sync workers"},
    }


# Each report: one of 20 pages, two names every page has, one of 50 others, two hosts.
REPORT_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = string.format(
    '{"page_url": "https://privacy.icentrex.example/p/%d", "cookies": ["_ga", "_fbp", "trk_%d"], '
    .. '"storage": ["ajs_user_id"], "hosts": ["connect.facebook.net", "cdn%d.tracker.example"]}',
    n % 20, n % 50, n % 10)
  return wrk.format(nil, nil, nil, body)
end
"""


def tracker_reports(env: dict) -> dict:
    from django.db import connection

    from cookies.models import TrackerSighting

    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (Debian: apt-get install -y wrk)"}

    def table_writes() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_tup_ins, n_tup_upd FROM pg_stat_user_tables"
                " WHERE relname = 'cookies_trackersighting'"
            )
            return cursor.fetchone()

    results = {}
    unlimited = {**env, "ALLOWED_HOSTS": "127.0.0.1,localhost", "CONSENT_TRACKER_REPORT_RATE": "100000000/h"}
    with gunicorn(unlimited) as (base, _port):
        _wrk(base + "/api/v1/consent/trackers", REPORT_LUA, connections=8)  # warm up
        TrackerSighting.objects.all().delete()
        before = table_writes()
        counted = _wrk(base + "/api/v1/consent/trackers", REPORT_LUA, connections=8)
        time.sleep(1)  # the statistics collector reports shortly after
        after = table_writes()
        inserted, updated = after[0] - before[0], after[1] - before[1]
        results["counted"] = {
            **counted,
            "rows": TrackerSighting.objects.count(),
            "rows_inserted_per_1000_reports": round(1000 * inserted / counted["requests"], 2),
            "row_updates_per_1000_reports": round(1000 * updated / counted["requests"], 1),
        }
    limited = {**env, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    with gunicorn(limited) as (base, _port):
        refused = _wrk(base + "/api/v1/consent/trackers", REPORT_LUA, connections=8)
        results["one_device_over_its_limit"] = {
            **refused,
            "refused_share": round(refused["non_2xx"] / refused["requests"], 4),
        }
    results["report"] = "3 cookies, 1 storage key, 2 hosts; 5 of them undeclared"
    return results


def run(env: dict) -> dict:
    return {
        "gpc_page_views": gpc_page_views(env),
        "tracker_reports": tracker_reports(env),
        "banner_script_sizes": script_sizes(),
    }
