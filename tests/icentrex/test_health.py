"""/healthz and /readyz: what a load balancer asks every second."""

import json

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import CaptureQueriesContext

from audit.events import EventType
from audit.services import audit_record
from audit.streams import evidence_stream, logged_streams
from audit.transparency import log_integrate_all
from icentrex import health

pytestmark = pytest.mark.django_db


def probe(client, path, **headers):
    response = client.get(path, **headers)
    return response, json.loads(response.content)


def test_liveness_answers_without_touching_anything(client):
    with CaptureQueriesContext(connection) as queries:
        response, body = probe(client, "/healthz")
    assert response.status_code == 200
    assert body == {"status": "alive"}
    assert len(queries) == 0
    assert response["Cache-Control"] == "no-store"


def test_readiness_reports_each_check_and_its_time(client):
    response, body = probe(client, "/readyz")
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "cache", "broker", "evidence_integration"}
    for result in body["checks"].values():
        assert result["ok"] is True
        assert result["ms"] >= 0
    assert body["checks"]["evidence_integration"]["threshold_seconds"] == 300.0


def test_an_outsider_gets_the_verdict_and_nothing_about_what_is_behind_it(client, monkeypatch):
    """What failed, and how many replicas lag by how much, is for the network
    /metrics answers (or its token); anyone else learns ready or not."""

    def database_down():
        raise RuntimeError("db01.internal refused")

    monkeypatch.setitem(health.READINESS_CHECKS, "database", database_down)
    response, body = probe(client, "/readyz", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 503 and body == {"status": "unavailable"}
    response, body = probe(client, "/readyz")  # loopback: allowed in the test profile
    assert response.status_code == 503 and body["checks"]["database"]["error"].startswith("RuntimeError")


def test_probes_answer_a_balancer_that_asks_by_ip_address(client):
    """ALLOWED_HOSTS does not list the machine's own address, and need not."""
    for path in ("/healthz", "/readyz"):
        assert client.get(path, HTTP_HOST="10.20.30.40:8000").status_code == 200


def test_evidence_waiting_too_long_for_its_log_makes_the_process_unready(client, settings):
    log_integrate_all("audit", evidence_stream("audit").log)
    audit_record(event_type=EventType.USER_SIGN_IN_FAILED, changes={"account": "unknown"})
    settings.READINESS_MAX_INTEGRATION_LAG_SECONDS = 0.0
    response, body = probe(client, "/readyz")
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    check = body["checks"]["evidence_integration"]
    assert check["ok"] is False
    assert "audit stream" in check["error"]
    # The integrator catches up: ready again.
    log_integrate_all("audit", evidence_stream("audit").log)
    response, body = probe(client, "/readyz")
    assert response.status_code == 200, body


def test_a_migration_not_applied_makes_the_process_unready(client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    MigrationRecorder.Migration.objects.filter(app="audit").order_by("-id").first().delete()
    response, body = probe(client, "/readyz")
    assert response.status_code == 503
    check = body["checks"]["migrations"]
    assert (check["ok"], check["error"]) == (False, "1 migration(s) not applied")


def test_an_unreachable_broker_is_reported_without_its_address(client, monkeypatch):
    from kombu import Connection

    from icentrex.celery import app

    monkeypatch.setattr(app, "_pool", Connection("redis://:s3cret@127.0.0.1:9/0").Pool(limit=1))
    response, body = probe(client, "/readyz")
    assert response.status_code == 503
    assert body["checks"]["broker"]["ok"] is False
    text = response.content.decode()
    assert "s3cret" not in text and "127.0.0.1" not in text and ":9" not in text
    # Every other part is still checked and reported.
    assert body["checks"]["database"]["ok"] is True


def test_readiness_costs_a_handful_of_queries(client, django_assert_max_num_queries):
    probe(client, "/readyz")  # the migration graph is read once per process
    # SELECT 1, the log states, then per stream one read of what waits (nothing, here).
    with django_assert_max_num_queries(2 + len(logged_streams())):
        probe(client, "/readyz")
