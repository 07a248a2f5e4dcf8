"""Replica offload (issue 22): a PostgreSQL primary and a streaming replica
(tools/postgres.py), the app on gunicorn (2 workers) with DATABASE_REPLICA_URLS,
and a mix of traffic for BENCH_SECONDS: the share of the SELECTs the replica
served, from the app's own query counters (/metrics), and the requests per second.

The mix, per request: a visitor reads the cookie declaration (35 %) or decides (15 %),
a signed-in app reads its consent history (15 %) or the sharing log (10 %), a member
list is read (10 %), anyone fetches a transparency checkpoint or an inclusion proof (15 %),
while the integrator adds the new consent records to their transparency log.
"""

import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from bench.common import ROOT
from tools.net import free_port
from tools.postgres import primary_and_replica

SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))

_SEED = """
import json, uuid
from allauth.account.models import EmailAddress
from accounts.models import User
from accounts.services import api_token_create
from organizations.models import Membership, Organization
from organizations.roles import OrgRole

owner = User.objects.create_user("owner@bench.example", "bench-Passphrase-2026", name="Owner")
EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
organization = Organization.objects.create(name="Bench AB", slug="bench")
Membership.objects.create(organization=organization, user=owner, role=OrgRole.OWNER, is_primary_owner=True)
for number in range(200):
    member = User.objects.create_user(f"member{number}@bench.example", None, name=f"Member {number}")
    Membership.objects.create(organization=organization, user=member, role=OrgRole.MEMBER)
print(json.dumps({"token": api_token_create(actor=owner, name="bench")[1]}))
"""


def _selects(base: str) -> dict[str, float]:
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(requests.get(base + "/metrics", timeout=30).text):
        for sample in family.samples:
            if sample.name == "icentrex_db_queries_total" and sample.labels["kind"] == "SELECT":
                counts[sample.labels["alias"]] = counts.get(sample.labels["alias"], 0) + sample.value
    return counts


def _mix(base: str, token: str, revision: str, stop: float, tally: dict, lock: threading.Lock) -> None:
    session = requests.Session()
    auth = {"Authorization": f"Bearer {token}"}
    decision = {"method": "banner_accept_all", "revision": revision, "page_url": base + "/"}
    api = base + "/api/v1"
    routes = {
        "declaration": (35, lambda: session.get(api + "/cookies/declaration", timeout=30)),
        # A new visitor each time: no cookie, so no read-your-writes pin.
        "consent POST": (15, lambda: requests.post(api + "/consent", json=decision, timeout=30)),
        "consent history": (15, lambda: session.get(api + "/consent/history", headers=auth, timeout=30)),
        "sharing log": (10, lambda: session.get(api + "/me/data-sharing", headers=auth, timeout=30)),
        "members": (10, lambda: session.get(api + "/orgs/bench/members", headers=auth, timeout=30)),
        "checkpoint": (10, lambda: session.get(base + "/transparency/consent/checkpoint", timeout=30)),
        "inclusion proof": (
            5,
            lambda: session.get(api + "/transparency/consent/leaves/0/inclusion", timeout=30),
        ),
    }
    names = list(routes)
    weights = [routes[name][0] for name in names]
    done, failed = 0, {}
    while time.monotonic() < stop:
        name = random.choices(names, weights)[0]
        status = routes[name][1]().status_code
        if status >= 400:
            failed[f"{name} {status}"] = failed.get(f"{name} {status}", 0) + 1
        done += 1
    with lock:
        tally["requests"] += done
        for key, count in failed.items():
            tally["failed"][key] = tally["failed"].get(key, 0) + count


def run() -> dict:
    with primary_and_replica(durable=True) as (primary, replica):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "icentrex.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": primary.url(),
            "DATABASE_REPLICA_URLS": replica.url(),
            "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/12"),
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/12"),
            "ACCESS_LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "600",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }

        def manage(*args) -> str:
            return subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout

        manage("migrate", "--noinput", "-v", "0")
        token = json.loads(manage("shell", "-c", _SEED).strip().splitlines()[-1])["token"]
        port = free_port()
        log = Path(ROOT / "var" / "bench-replicas.log")
        log.parent.mkdir(exist_ok=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "icentrex.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stderr=log.open("w"),
        )
        # The integrator adds new records to the transparency logs, as in production.
        integrator = subprocess.Popen(
            [sys.executable, "manage.py", "transparency_integrate", "--follow"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    requests.get(base + "/healthz", timeout=5)
                    break
                except requests.RequestException:  # not listening yet
                    time.sleep(0.1)
            revision = requests.get(base + "/api/v1/cookies/declaration", timeout=30).json()["revision"]
            first = {"method": "banner_accept_all", "revision": revision, "page_url": base + "/"}
            requests.post(base + "/api/v1/consent", json=first, timeout=30).raise_for_status()
            while requests.get(base + "/transparency/consent/checkpoint", timeout=30).status_code != 200:
                time.sleep(0.2)
            before = _selects(base)
            tally, lock = {"requests": 0, "failed": {}}, threading.Lock()
            began = time.monotonic()
            threads = [
                threading.Thread(target=_mix, args=(base, token, revision, began + SECONDS, tally, lock))
                for _ in range(THREADS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - began
            after = _selects(base)
        finally:
            for process in (server, integrator):
                process.terminate()
                process.wait(timeout=15)
    on_replica = after.get("replica1", 0) - before.get("replica1", 0)
    on_primary = after.get("default", 0) - before.get("default", 0)
    return {
        "requests": tally["requests"],
        "failed": tally["failed"],
        "req_per_s": round(tally["requests"] / elapsed, 1),
        "selects_on_replica": int(on_replica),
        "selects_on_primary": int(on_primary),
        "replica_share_of_selects": round(on_replica / max(on_replica + on_primary, 1), 3),
        "mix": "declaration 35, consent POST 15, consent history 15, sharing log 10, members 10, "
        "checkpoint 10, inclusion proof 5 (%)",
        "settings": {"seconds": SECONDS, "client_threads": THREADS, "gunicorn": "2 sync workers"},
    }
