"""Read replicas, for real: a PostgreSQL primary and a streaming replica made by
pg_basebackup, each a cluster of its own on its own port, started and stopped
(by PID) here; the app served by gunicorn with DATABASE_REPLICA_URLS.

The reads marked safe to serve a second old come from the replica; a client
that wrote reads from the primary; with the replica's replay paused, no flow
breaks and nobody misses their own write; readiness reports the lag."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.waiting import wait_for
from tools.net import free_port
from tools.postgres import primary_and_replica

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "replica-test-Passphrase-9"
EMAIL = "reader@replica.example"

pytestmark = pytest.mark.worker  # starts servers of its own


@pytest.fixture(scope="module")
def primary_and_replica_clusters():
    with primary_and_replica() as (primary, replica):
        yield primary, replica


@pytest.fixture(scope="module")
def app_on_replicas(primary_and_replica_clusters, tmp_path_factory):
    primary, replica = primary_and_replica_clusters
    state = tmp_path_factory.mktemp("replica-app")
    redis_url = re.sub(r"/\d+$", "/11", os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "icentrex.settings.test",
        "DATABASE_URL": primary.url(),
        "DATABASE_REPLICA_URLS": replica.url(),
        "CACHE_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "REPLICA_MAX_LAG_SECONDS": "2",
        "READ_YOUR_WRITES_SECONDS": "15",
        "READINESS_MAX_REPLICA_LAG_SECONDS": "4",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    manage("migrate", "--noinput", "-v", "0")
    token = (
        manage(
            "shell",
            "-c",
            "from allauth.account.models import EmailAddress; from accounts.models import User;"
            "from accounts.services import api_token_create;"
            f"u = User.objects.create_user({EMAIL!r}, {PASSWORD!r}, name='Rita Reader');"
            f"EmailAddress.objects.create(user=u, email={EMAIL!r}, verified=True, primary=True);"
            "print(api_token_create(actor=u, name='replica test')[1])",
        )
        .strip()
        .splitlines()[-1]
    )
    port = free_port()
    log = (state / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "icentrex.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        assert server.poll() is None, (state / "gunicorn.log").read_text()[-3000:]
        try:
            return requests.get(base + "/healthz", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    wait_for(up, timeout=60, what="gunicorn")
    yield {"base": base, "token": token, "primary": primary, "replica": replica}
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def selects_by_alias(base: str) -> dict[str, float]:
    text = requests.get(base + "/metrics", timeout=30).text
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "icentrex_db_queries_total" and sample.labels["kind"] == "SELECT":
                counts[sample.labels["alias"]] = counts.get(sample.labels["alias"], 0) + sample.value
    return counts


def bearer(app) -> dict:
    return {"Authorization": f"Bearer {app['token']}"}


def decide(session: requests.Session, base: str, **headers) -> dict:
    declaration = session.get(base + "/api/v1/cookies/declaration", timeout=10).json()
    response = session.post(
        base + "/api/v1/consent",
        json={"method": "banner_accept_all", "revision": declaration["revision"], "page_url": base + "/"},
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_the_reads_most_traffic_is_made_of_come_from_the_replica(app_on_replicas):
    base = app_on_replicas["base"]
    before = selects_by_alias(base)
    reader = requests.Session()
    for _ in range(30):
        assert reader.get(base + "/api/v1/cookies/declaration", timeout=10).status_code == 200
        assert (
            reader.get(
                base + "/api/v1/consent/history", headers=bearer(app_on_replicas), timeout=10
            ).status_code
            == 200
        )
        assert (
            reader.get(
                base + "/api/v1/me/data-sharing", headers=bearer(app_on_replicas), timeout=10
            ).status_code
            == 200
        )
        assert reader.get(base + "/transparency/consent/checkpoint", timeout=10).status_code in (200, 404)
    after = selects_by_alias(base)
    on_replica = after.get("replica1", 0) - before.get("replica1", 0)
    on_primary = after.get("default", 0) - before.get("default", 0)
    assert on_replica > 0
    # Token authentication and the metrics' own reads stay on the primary; the rest is the replica's.
    assert on_replica / (on_replica + on_primary) > 0.4, (on_replica, on_primary)


def test_paused_replay_breaks_no_flow_and_nobody_misses_their_own_write(app_on_replicas):
    base, replica = app_on_replicas["base"], app_on_replicas["replica"]
    replica.query("SELECT pg_wal_replay_pause()")
    try:
        # A person in the browser: sign in, decide, read their history and its receipt.
        browser = requests.Session()
        login_page = browser.get(base + "/accounts/login/", timeout=10)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text).group(1)
        signed_in = browser.post(
            base + "/accounts/login/",
            data={"login": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Referer": base + "/accounts/login/"},
            timeout=10,
            allow_redirects=False,
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        assert "icx_primary" in browser.cookies  # the sign-in wrote: reads follow on the primary
        page = browser.get(base + "/privacy/cookies/", timeout=10)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        recorded = decide(browser, base, **{"X-CSRFToken": csrf, "Referer": base + "/privacy/cookies/"})
        history = browser.get(base + "/privacy/cookies/", timeout=10)
        assert history.status_code == 200 and recorded["record_id"] in history.text
        receipt = browser.get(base + f"/privacy/cookies/receipts/{recorded['record_id']}/", timeout=10)
        assert receipt.status_code == 200

        # An app with a token: decide, then read the history through the API.
        app = requests.Session()
        by_token = decide(app, base, **bearer(app_on_replicas))
        listed = app.get(base + "/api/v1/consent/history", headers=bearer(app_on_replicas), timeout=10).json()
        assert by_token["record_id"] in {item["record_id"] for item in listed["results"]}

        # The replica really is behind: neither record is there.
        on_replica = replica.query(
            "SELECT count(*) FROM consent_consentrecord WHERE record_id::text IN "
            f"('{recorded['record_id']}', '{by_token['record_id']}')"
        )
        assert on_replica == [(0,)]

        # Someone who wrote nothing still gets their pages (from the replica while it is close
        # enough, then from the primary).
        visitor = requests.Session()
        assert visitor.get(base + "/api/v1/cookies/declaration", timeout=10).status_code == 200

        # Past READINESS_MAX_REPLICA_LAG_SECONDS, readiness says so, without a host name.
        def unready():
            response = requests.get(base + "/readyz", timeout=10)
            return response.status_code == 503 and not response.json()["checks"]["replica:replica1"]["ok"]

        wait_for(unready, timeout=30, what="readiness to report the lagging replica")
        body = requests.get(base + "/readyz", timeout=10).text
        assert "127.0.0.1" not in body and "behind the primary" in body
        # Reads the replica would serve go to the primary meanwhile: still fresh, still working.
        assert visitor.get(base + "/api/v1/cookies/declaration", timeout=10).status_code == 200
    finally:
        replica.query("SELECT pg_wal_replay_resume()")
    wait_for(
        lambda: requests.get(base + "/readyz", timeout=10).status_code == 200, timeout=30, what="ready again"
    )
    # Caught up: the replica has both records now.
    wait_for(
        lambda: (
            replica.query(
                f"SELECT count(*) FROM consent_consentrecord WHERE record_id = '{recorded['record_id']}'"
            )
            == [(1,)]
        ),
        timeout=30,
        what="the replica to replay the writes",
    )


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ("SELECT 1", False),
        ('SELECT "a" FROM "t" WHERE id = 1', False),
        ("  INSERT INTO t VALUES (1)", True),
        ("UPDATE t SET a = 1", True),
        ("DELETE FROM t", True),
        (
            "\nWITH record AS (\n    INSERT INTO consent_consentrecord (a) VALUES (1) RETURNING seq) SELECT",
            True,
        ),
        ("WITH x AS (SELECT 1) SELECT * FROM x", False),
        ('SELECT "a" FROM "t" WHERE id = 1 FOR UPDATE', True),
        ('SELECT "a" FROM "t" FOR UPDATE SKIP LOCKED', True),
    ],
)
def test_what_counts_as_a_write(sql, writes):
    from core.replicas import _writes

    assert _writes(sql) is writes
