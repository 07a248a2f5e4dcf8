"""/metrics: protected, correct across gunicorn's worker processes, and holding
the state an operator alerts on."""

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import environ
import pytest
import requests
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from audit.events import EventType
from audit.services import audit_record
from audit.streams import evidence_stream
from audit.transparency import log_integrate_all
from tests.conftest import _database_url
from tests.waiting import wait_for
from tools.net import free_port

ROOT = Path(__file__).resolve().parents[2]


def samples(text: str) -> dict[tuple, float]:
    """{(name, (label, value), ...): value} of every sample in an exposition."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, *sorted(sample.labels.items()))] = sample.value
    return found


def scrape(client, **extra) -> dict[tuple, float]:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


# --- Who may scrape ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_allowlist_or_the_bearer_token_may_scrape(client, settings):
    settings.METRICS_BEARER_TOKEN = "scrape-token-0123456789"
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 404
    right = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789"
    )
    assert right.status_code == 200
    # A balancer's host name is not in ALLOWED_HOSTS: Prometheus scrapes by address.
    assert client.get("/metrics", HTTP_HOST="10.1.2.3:8000").status_code == 200


@pytest.mark.django_db
def test_nobody_may_scrape_when_neither_is_configured(client, settings):
    settings.METRICS_BEARER_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_allowlist_entries_are_stripped_and_ipv4_mapped_clients_match_ipv4_networks(
    client, settings, monkeypatch
):
    monkeypatch.setenv("METRICS_ALLOWED_NETWORKS", "10.0.0.0/8, 192.168.0.0/16")
    settings.METRICS_BEARER_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = environ.Env().list("METRICS_ALLOWED_NETWORKS")
    assert settings.METRICS_ALLOWED_NETWORKS[1] == " 192.168.0.0/16"  # as the environment gives it
    assert client.get("/metrics", REMOTE_ADDR="192.168.4.5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    # A dual-stack socket's spelling of an IPv4 client.
    assert client.get("/metrics", REMOTE_ADDR="::ffff:10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:203.0.113.9").status_code == 404


def test_a_bad_allowlist_entry_stops_start_up():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "icentrex.settings.test",
        "METRICS_ALLOWED_NETWORKS": "10.0.0.0/8, 10.0.0.300/8",
    }
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert "ImproperlyConfigured: METRICS_ALLOWED_NETWORKS: '10.0.0.300/8'" in started.stderr


# --- What is counted -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_by_route_never_by_path(client):
    route = ("route", "/invitations/<uuid:public_id>/")
    key = ("icentrex_http_requests_total", ("method", "GET"), route, ("status", "302"))  # to sign in
    before = scrape(client).get(key, 0)
    client.get("/invitations/0b6c1f3e-5a4f-4e55-9d3a-6f1c2b7e8a90/")
    client.get("/invitations/1c7d2a4f-6b5a-4f66-8e4b-7a2d3c8f9ba1/")
    after = scrape(client)
    assert after[key] == before + 2
    assert not any("0b6c1f3e" in str(labels) for labels in after)
    assert any(name == "icentrex_db_queries_total" for name, *_ in after)


def http_requests(found: dict, method: str, route: str, status: str) -> float:
    return found.get(
        ("icentrex_http_requests_total", ("method", method), ("route", route), ("status", status)), 0
    )


@pytest.mark.django_db
def test_made_up_methods_and_unmatched_paths_add_no_series(client, alice):
    invitation = "/invitations/<uuid:public_id>/"
    expected = {
        ("OTHER", invitation, "405"): 2,
        ("GET", "(unmatched)", "404"): 2,
        ("GET", "/orgs/<slug:org_slug>/sign-in/", "404"): 1,
    }
    before = scrape(client)
    # gunicorn passes any token of capitals as a method; the view answers 405.
    client.generic("QZX123", "/invitations/0b6c1f3e-5a4f-4e55-9d3a-6f1c2b7e8a90/")
    client.generic("PROPFIND", "/invitations/0b6c1f3e-5a4f-4e55-9d3a-6f1c2b7e8a90/")
    client.get("/no-such-page/0b6c1f3e/")
    client.get("/invitations/not-a-uuid-7d2a4f/")  # the converter refuses it: no route matched
    client.force_login(alice)
    client.get("/orgs/no-such-org-5a4f/sign-in/")  # matched, then 404 from the view
    after = scrape(client)
    for labels, count in expected.items():
        assert http_requests(after, *labels) - http_requests(before, *labels) == count, labels
    for text in ("QZX123", "PROPFIND", "no-such", "not-a-uuid", "0b6c1f3e"):
        assert not any(text in str(labels) for labels in after), text
    duration = ("icentrex_http_request_duration_seconds_count", ("method", "OTHER"), ("route", invitation))
    assert after[duration] - before.get(duration, 0) == 2


@pytest.mark.django_db
def test_evidence_waiting_for_its_log_is_counted_and_aged(client):
    log_integrate_all("audit", evidence_stream("audit").log)
    for _ in range(3):
        audit_record(event_type=EventType.USER_SIGN_IN_FAILED, changes={"account": "unknown"})
    found = scrape(client)
    assert found[("icentrex_evidence_pending_rows", ("stream", "audit"))] == 3
    assert found[("icentrex_evidence_oldest_pending_age_seconds", ("stream", "audit"))] >= 0
    log_integrate_all("audit", evidence_stream("audit").log)
    found = scrape(client)
    assert found[("icentrex_evidence_pending_rows", ("stream", "audit"))] == 0
    assert found[("icentrex_evidence_oldest_pending_age_seconds", ("stream", "audit"))] == 0
    assert ("icentrex_evidence_checkpoint_age_seconds", ("stream", "audit")) in found


@pytest.mark.django_db
def test_outbox_jobs_queues_and_requests_coming_due(client, alice):
    from data_requests.models import PersonalExport, SubjectRequest
    from icentrex.celery import app

    app.control.purge()
    PersonalExport.objects.create(user=alice)
    today = timezone.localdate()
    for due in (today + timedelta(days=3), today - timedelta(days=1), today + timedelta(days=20)):
        SubjectRequest.objects.create(
            kind=SubjectRequest.Kind.ACCESS,
            source=SubjectRequest.Source.OTHER,
            contact_email="someone@example.org",
            received_at=timezone.now(),
            due_on=due,
        )
    app.send_task("policies.tasks.notices_sweep")  # routed to "bulk"; no worker takes it
    found = scrape(client)
    assert found[("icentrex_data_request_jobs", ("job", "personal_export"), ("state", "pending"))] == 1
    assert found[("icentrex_subject_requests_open", ("due", "any"))] == 3
    assert found[("icentrex_subject_requests_open", ("due", "within_7_days"))] == 1
    assert found[("icentrex_subject_requests_open", ("due", "overdue"))] == 1
    assert found[("icentrex_celery_queue_depth", ("queue", "bulk"))] == 1
    assert found[("icentrex_celery_queue_depth", ("queue", "critical"))] == 0
    assert found[("icentrex_webhook_deliveries", ("status", "failed"))] == 0
    assert all(value == 1 for (name, *_), value in found.items() if name == "icentrex_metrics_reader_up")
    app.control.purge()


# --- Several worker processes --------------------------------------------------------------------


@pytest.fixture
def gunicorn_two_workers(transactional_db, settings, tmp_path):
    from django.db import connection

    port = free_port()
    metrics_dir = tmp_path / "metrics"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "icentrex.settings.test",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "icentrex.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        assert process.poll() is None, process.stderr.read()[-3000:]
        try:
            return requests.get(base + "/healthz", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    wait_for(up, timeout=60, what="gunicorn")
    yield base, metrics_dir
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_counters_from_two_worker_processes_add_up(gunicorn_two_workers):
    base, metrics_dir = gunicorn_two_workers
    requests_sent = 80
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(lambda _: requests.get(base + "/", timeout=30).status_code, range(requests_sent))
        )
    assert set(statuses) == {200}
    # Both workers answered some: each keeps its counters in files of its own.
    deadline = time.monotonic() + 10
    pids = set()
    while len(pids) < 2 and time.monotonic() < deadline:
        pids = {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("counter_*.db")}
    assert len(pids) == 2, pids
    found = samples(requests.get(base + "/metrics", timeout=30).text)
    key = ("icentrex_http_requests_total", ("method", "GET"), ("route", "/"), ("status", "200"))
    assert found[key] == requests_sent
