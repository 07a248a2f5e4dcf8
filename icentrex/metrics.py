"""Prometheus metrics (prometheus_client), served at /metrics.

Two kinds:

- **Per process** — requests and queries, counted where they happen
  (icentrex.telemetry). Under gunicorn each worker process counts its own; with
  ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn.conf.py and bin/run set it) every
  process writes its counters to files there and a scrape adds them up
  (prometheus_client's multiprocess mode), whichever worker answers it.
- **State** — what the database and the broker hold: evidence waiting for its
  transparency log, the webhook outbox, notice runs, export and erasure jobs,
  queue depths, data-subject requests coming due, and readiness. Read when a
  scrape asks (``StateCollector``), so every worker reports the same numbers
  and nothing is stored between scrapes.
"""

import ipaddress
import os
import secrets

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotFound
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# --- Counted in each process ---------------------------------------------------------------

# The *_created series (when each label set first counted) double what is scraped
# and are not used by the dashboard or the alerts.
disable_created_metrics()

# Seconds; the consent POST answers in ~2 ms, an export page in ~50 ms.
_LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "icentrex_http_requests",
    "HTTP requests answered, by method, route (the URL pattern, never the path) and status.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "icentrex_http_request_duration_seconds",
    "Time from the first middleware to the response, by method and route.",
    ["method", "route"],
    buckets=_LATENCY_BUCKETS,
)
DB_QUERIES = Counter(
    "icentrex_db_queries", "SQL statements run, by database alias and statement kind.", ["alias", "kind"]
)
DB_DURATION = Histogram(
    "icentrex_db_query_duration_seconds",
    "Time each SQL statement took, by database alias.",
    ["alias"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
)
DB_ERRORS = Counter("icentrex_db_errors", "SQL statements that raised, by database alias.", ["alias"])

_STATEMENT_KINDS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"})
# gunicorn accepts any token as a method and Django answers it (405 on a matched route):
# every other method counts as OTHER, or each made-up one would add series until a restart.
# Routes are bounded already: URL patterns, or "(unmatched)" (core.logs.route_of).
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})


def http_request_observe(method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in _METHODS else "OTHER"
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_DURATION.labels(method, route).observe(seconds)


def db_query_observe(alias: str, sql: str, seconds: float) -> None:
    words = sql.lstrip()[:7].split(None, 1)
    verb = words[0].upper() if words else ""
    DB_QUERIES.labels(alias, verb if verb in _STATEMENT_KINDS else "OTHER").inc()
    DB_DURATION.labels(alias).observe(seconds)


def db_error_observe(alias: str) -> None:
    DB_ERRORS.labels(alias).inc()


# --- Read from the database and the broker at scrape time ---------------------------------------


class StateCollector:
    """Gauges of what is waiting, read when scraped. Each reader is a selector of
    the app that owns the data; a reader that fails (a database that is down)
    leaves its gauges out and sets ``icentrex_metrics_reader_up`` to 0 for it,
    so one broken part never hides the others."""

    def collect(self):
        up = GaugeMetricFamily(
            "icentrex_metrics_reader_up",
            "Whether each group of state metrics could be read.",
            labels=["reader"],
        )
        for name, reader in _READERS:
            try:
                families = list(reader())
            except Exception:  # noqa: BLE001 - reported as a 0, and the rest still scraped
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


def _evidence_families():
    from audit.models import LogState
    from audit.partitions import partitions_ahead_months
    from audit.streams import logged_streams
    from audit.transparency import log_backlog, log_checkpoint

    now = timezone.now()
    pending = GaugeMetricFamily(
        "icentrex_evidence_pending_rows",
        "Evidence rows written but not yet in their stream's transparency log.",
        labels=["stream"],
    )
    oldest = GaugeMetricFamily(
        "icentrex_evidence_oldest_pending_age_seconds",
        "How long the oldest row waiting for its transparency log has waited (0: none waits).",
        labels=["stream"],
    )
    checkpoint_age = GaugeMetricFamily(
        "icentrex_evidence_checkpoint_age_seconds",
        "Seconds since each stream's newest signed checkpoint.",
        labels=["stream"],
    )
    through = dict(LogState.objects.values_list("stream", "through_seq"))
    for stream in logged_streams():
        backlog = log_backlog(stream.name, stream.log, through_seq=through.get(stream.name, 0))
        pending.add_metric([stream.name], backlog.pending)
        oldest.add_metric([stream.name], backlog.oldest_age_seconds(now))
        newest = log_checkpoint(stream.name)
        if newest is not None:
            checkpoint_age.add_metric([stream.name], max(0.0, (now - newest.created_at).total_seconds()))
    months = GaugeMetricFamily(
        "icentrex_evidence_partition_months_ahead",
        "Whole months beyond this one for which a partitioned evidence table has partitions.",
        labels=["table"],
    )
    for table, ahead in partitions_ahead_months(now=now).items():
        months.add_metric([table], ahead)
    return pending, oldest, checkpoint_age, months


def _webhook_families():
    from integrations.selectors import webhook_outbox_counts

    outbox = GaugeMetricFamily(
        "icentrex_webhook_deliveries", "Webhook deliveries not delivered yet, by status.", labels=["status"]
    )
    for status, count in webhook_outbox_counts().items():
        outbox.add_metric([status], count)
    return (outbox,)


def _notice_run_families():
    from policies.selectors import notice_runs_unfinished

    chunks = GaugeMetricFamily(
        "icentrex_notice_run_chunks",
        "User ranges of each unfinished policy-notice run, by state (done or all).",
        labels=["run", "state"],
    )
    recipients = GaugeMetricFamily(
        "icentrex_notice_run_recipients", "People each unfinished notice run writes to.", labels=["run"]
    )
    for run in notice_runs_unfinished():
        chunks.add_metric([str(run.run_id), "done"], run.chunks_done)
        chunks.add_metric([str(run.run_id), "all"], run.chunks)
        recipients.add_metric([str(run.run_id)], run.recipients)
    return chunks, recipients


def _data_request_families():
    from data_requests.selectors import data_request_jobs_in_flight, subject_request_counts

    jobs = GaugeMetricFamily(
        "icentrex_data_request_jobs",
        "Export and erasure jobs not finished, and failed builds, by job and state.",
        labels=["job", "state"],
    )
    for job, state, count in data_request_jobs_in_flight():
        jobs.add_metric([job, state], count)
    counts = subject_request_counts()
    requests = GaugeMetricFamily(
        "icentrex_subject_requests_open",
        "Open data-subject requests: all, due within 7 days, overdue.",
        labels=["due"],
    )
    requests.add_metric(["any"], counts["open"])
    requests.add_metric(["within_7_days"], counts["due_week"])
    requests.add_metric(["overdue"], counts["overdue"])
    return jobs, requests


def _queue_families():
    from .queues import queue_depths

    depth = GaugeMetricFamily(
        "icentrex_celery_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"]
    )
    for queue, count in queue_depths().items():
        depth.add_metric([queue], count)
    return (depth,)


def _readiness_families():
    from .health import readiness

    report = readiness()
    ready = GaugeMetricFamily(
        "icentrex_ready", "Each readiness check (1 passes, 0 fails), as /readyz reports it.", labels=["check"]
    )
    for name, result in report.checks.items():
        ready.add_metric([name], 1 if result.ok else 0)
    return (ready,)


_READERS = (
    ("evidence", _evidence_families),
    ("webhooks", _webhook_families),
    ("notice_runs", _notice_run_families),
    ("data_requests", _data_request_families),
    ("queues", _queue_families),
    ("readiness", _readiness_families),
)


# --- The endpoint -------------------------------------------------------------------------------


def _networks_parse(entries) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """METRICS_ALLOWED_NETWORKS as networks, parsed once. The environment's "a, b"
    keeps its spaces and a trailing comma leaves an empty entry, so entries are
    stripped and empty ones skipped; a bad one stops start-up (this module loads
    with the apps, through icentrex.telemetry) instead of failing every scrape."""
    stripped = (entry.strip() for entry in entries or ())
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in stripped if entry)
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {exc}") from None


_allowed_networks = _networks_parse(settings.METRICS_ALLOWED_NETWORKS)


@receiver(setting_changed)
def _allowed_networks_reparse(*, setting, value, **kwargs):
    # Tests change the setting (override_settings) after this module has loaded.
    global _allowed_networks
    if setting == "METRICS_ALLOWED_NETWORKS":
        _allowed_networks = _networks_parse(value)


def scrape_allowed(request) -> bool:
    """A bearer token (METRICS_BEARER_TOKEN) or an address on the allowlist
    (METRICS_ALLOWED_NETWORKS). Behind a proxy every request comes from the
    proxy's address: use the token there, or list only the scraper's network."""
    token = settings.METRICS_BEARER_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    # A dual-stack socket reports an IPv4 client as ::ffff:10.1.2.3; the allowlist names it as IPv4.
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in _allowed_networks)


def metrics_text() -> bytes:
    """The exposition: every process's counters, then the state gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    state = CollectorRegistry(auto_describe=False)
    state.register(StateCollector())
    return generate_latest(processes) + generate_latest(state)


@never_cache
def metrics_view(request):
    if not scrape_allowed(request):
        # As if there were nothing here: the endpoint's existence is not advertised.
        return HttpResponseNotFound("Not found", content_type="text/plain")
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
