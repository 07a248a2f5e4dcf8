"""Sharing log and webhook delivery (issue 6).

- One person with 100,000 sharing events: the first page and deeper pages of
  their log (50 rows, keyset pagination) timed in process (server time, p50
  and p95 over repeated reads).
- Signed webhook deliveries to a local receiver (its own process, keep-alive
  HTTP/1.1) with one Celery worker process (solo pool): deliveries per second
  from enqueueing until the last one is recorded as delivered."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import celery_worker
from tools.net import free_port

LOG_EVENTS = int(os.environ.get("BENCH_SHARING_EVENTS", "100000"))
DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "3000"))

RECEIVER = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

count_file = Path(sys.argv[2])
seen = 0

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real provider's endpoint would

    def do_POST(self):
        global seen
        self.rfile.read(int(self.headers["Content-Length"]))
        seen += 1
        if seen % 100 == 0:
            count_file.write_text(str(seen))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def _seed_log(user) -> None:
    """COPY 100,000 events about one person (hashes computed as the app does)."""
    from django.db import connection
    from django.utils import timezone

    from integrations.catalog import categories_of
    from integrations.models import Provider, SharingEvent
    from subjects.services import subject_key_for_user

    key = subject_key_for_user(user=user)
    providers = list(Provider.objects.all())
    columns = (
        "event_id, provider_id, subject_key, organization_id, team_id, installation_id, delivery_id, "
        "categories, fields, purpose, legal_basis, occurred_at, record_hash"
    )
    now = timezone.now()
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY integrations_sharingevent ({columns}) FROM STDIN") as copy,
    ):
        for i in range(LOG_EVENTS):
            provider = providers[i % len(providers)]
            fields = provider.fields[: 1 + i % len(provider.fields)]
            event = SharingEvent(
                event_id=uuid.uuid4(),
                provider=provider,
                subject_key=key,
                categories="," + ",".join(categories_of(fields)) + ",",
                fields=fields,
                purpose=provider.purpose,
                legal_basis="contract",
                occurred_at=now,
            )
            copy.write_row(
                (
                    event.event_id,
                    provider.pk,
                    key,
                    None,
                    None,
                    None,
                    None,
                    event.categories,
                    json.dumps(fields),
                    event.purpose,
                    event.legal_basis,
                    now,
                    event.compute_hash(),
                )
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE integrations_sharingevent")


def _timed(fn, repeat: int) -> dict:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95)], 2),
    }


def bench_log() -> dict:
    from accounts.models import User
    from integrations.selectors import sharing_log_for

    user = User.objects.create_user("sharer@example.org", "bench-password-123")
    _seed_log(user)
    first = sharing_log_for(user=user)
    middle = LOG_EVENTS // len(first.events) // 2  # page 1,000 of 2,000 with 100,000 events
    cursor, deep = first.next_cursor, first
    for _ in range(middle - 1):
        deep = sharing_log_for(user=user, before=cursor)
        cursor = deep.next_cursor
    return {
        "events": LOG_EVENTS,
        "first_page": _timed(lambda: sharing_log_for(user=user), 200),
        f"page_{middle}": _timed(lambda: sharing_log_for(user=user, before=deep.events[0].seq + 1), 200),
        "first_page_filtered_by_category": _timed(
            lambda: sharing_log_for(user=user, category="profile"), 200
        ),
        "rows_per_page": len(first.events),
    }


def _seed_deliveries(url: str) -> list[int]:
    from accounts.models import User
    from integrations.models import Installation, Provider, WebhookDelivery
    from subjects.services import secret_seal

    provider = Provider.objects.create(
        slug="bench-receiver",
        name="Bench receiver",
        kind=Provider.Kind.INTEGRATION,
        purpose="Benchmark",
        fields=["identity.id", "identity.name"],
        webhook_url=url,
        signing_secret_sealed=secret_seal("bench-secret"),
    )
    owner = User.objects.create_user("installer@example.org", "bench-password-123")
    installation = Installation.objects.create(
        provider=provider, installed_by=owner, audience="me", granted_fields=provider.fields
    )
    people = [{"identity.id": uuid.uuid4().hex, "identity.name": f"Person {i}"} for i in range(5)]
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(installation=installation, kind="data.shared", payload={"people": people})
            for _ in range(DELIVERIES)
        ]
    )
    return [d.pk for d in deliveries]


def bench_delivery(env: dict) -> dict:
    from icentrex.celery import app
    from integrations.models import WebhookDelivery
    from integrations.tasks import webhook_deliver

    app.control.purge()
    port = free_port()
    count_file = Path(tempfile.mkdtemp()) / "received"
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port), str(count_file)])
    worker = celery_worker(env, "webhooks", count_file.parent / "worker.log", "--pool=solo")
    try:
        ids = _seed_deliveries(f"http://127.0.0.1:{port}/hooks")
        started = time.monotonic()
        for pk in ids:
            webhook_deliver.delay(pk)
        pending = WebhookDelivery.objects.filter(pk__in=ids).exclude(status="delivered")
        while pending.exists() and time.monotonic() - started < 300:
            time.sleep(0.2)
        seconds = time.monotonic() - started
        delivered = WebhookDelivery.objects.filter(pk__in=ids, status="delivered").count()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        receiver.terminate()
        receiver.wait(timeout=10)
    return {
        "deliveries": len(ids),
        "delivered": delivered,
        "seconds": round(seconds, 2),
        "webhooks_per_s": round(delivered / seconds, 1),
        "worker_processes": 1,
        "received": int(count_file.read_text()) if count_file.exists() else None,
    }


def run(env: dict) -> dict:
    return {"sharing_log": bench_log(), "webhook_delivery": bench_delivery(env)}
