"""Liveness and readiness, for a load balancer or an orchestrator.

- ``/healthz``: the process answers. Touches nothing, so a database outage
  never gets healthy web processes restarted.
- ``/readyz``: this process can serve: the primary database answers and has
  every migration applied, the cache and the broker answer, each read replica
  answers and is less than READINESS_MAX_REPLICA_LAG_SECONDS behind, and no
  evidence has waited too long for its transparency log. 200 when all pass,
  503 otherwise, JSON either way; to a caller /metrics would answer (its token
  or allowlist) with each check's result and time, to anyone else with the
  verdict alone; never a host name, an address or a message from a driver
  (they can name users and hosts).

They are answered by ``HealthProbeMiddleware``, first in the stack, before the
host check: a balancer probes by IP address, which ALLOWED_HOSTS rightly does
not list, and a probe should cost no session, no language negotiation and no
log line. /metrics is answered there too, for the same reasons (icentrex.metrics).

django-health-check was tried first (README, "Dependencies"): its view runs
checks in executor threads, each opening a database connection of its own per
probe outside the process's persistent ones, and answers 500 where a balancer
expects 503; these checks run in the request's thread on its connection.
"""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.utils import timezone

logger = logging.getLogger(__name__)


class NotReady(Exception):
    """A check failed; the message is shown, so it must name no host, user or secret."""


@dataclass
class CheckResult:
    ok: bool
    ms: float
    error: str = ""
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        body = {"ok": self.ok, "ms": round(self.ms, 2), **self.details}
        if self.error:
            body["error"] = self.error
        return body


@dataclass
class Readiness:
    checks: dict[str, CheckResult]

    @property
    def ready(self) -> bool:
        return all(result.ok for result in self.checks.values())

    def as_dict(self) -> dict:
        return {
            "status": "ready" if self.ready else "unavailable",
            "checks": {name: result.as_dict() for name, result in self.checks.items()},
        }


# --- The checks ---------------------------------------------------------------------------------


def _database() -> dict:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


_migrated = False


def _migrations() -> dict:
    """Every migration this code knows is applied. Reading the migration graph
    costs ~30 ms, so once it holds the process remembers: the code cannot
    unapply its own migrations while it runs."""
    global _migrated
    if not _migrated:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if unapplied:
            raise NotReady(f"{len(unapplied)} migration(s) not applied")
        _migrated = True
    return {}


def _cache() -> dict:
    key = "readyz:probe"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise NotReady("the cache did not return what was written")
    return {}


def _broker() -> dict:
    from .celery import app

    # A connection from the process's pool: a new one per probe cost 2 ms.
    with app.pool.acquire(block=True, timeout=2) as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
        # Redis connects lazily: ask it something (the embedded broker has no client).
        client = getattr(connection.default_channel, "client", None)
        if client is not None:
            client.ping()
    return {}


_evidence_lag_seen: tuple[float, str, float] | None = None  # (measured at, stream, seconds)


def _evidence_integration() -> dict:
    """The oldest row any stream holds outside its transparency log. One read per
    stream, ~1.5 ms each; a balancer probes every second and the threshold is
    minutes, so a process measures at most every READINESS_EVIDENCE_RECHECK_SECONDS."""
    global _evidence_lag_seen
    now = time.monotonic()
    if (
        _evidence_lag_seen is None
        or now - _evidence_lag_seen[0] >= settings.READINESS_EVIDENCE_RECHECK_SECONDS
    ):
        _evidence_lag_seen = (now, *_worst_evidence_lag())
    _measured, worst, lag = _evidence_lag_seen
    limit = settings.READINESS_MAX_INTEGRATION_LAG_SECONDS
    if lag > limit:
        raise NotReady(f"the {worst} stream's oldest row has waited {lag:.0f} s for its log")
    return {"lag_seconds": round(lag, 1), "threshold_seconds": limit}


def _worst_evidence_lag() -> tuple[str, float]:
    from audit.models import LogState
    from audit.streams import logged_streams
    from audit.transparency import log_backlog

    at = timezone.now()
    through = dict(LogState.objects.values_list("stream", "through_seq"))
    lags = {}
    for stream in logged_streams():
        backlog = log_backlog(stream.name, stream.log, through_seq=through.get(stream.name, 0), count=False)
        lags[stream.name] = backlog.oldest_age_seconds(at)
    worst = max(lags, key=lags.get, default="")
    return worst, lags.get(worst, 0.0)


def _replica(alias: str) -> Callable[[], dict]:
    def check() -> dict:
        from core.replicas import replica_lag_seconds

        lag = replica_lag_seconds(alias, fresh=True)
        limit = settings.READINESS_MAX_REPLICA_LAG_SECONDS
        if lag == float("inf"):
            raise NotReady("the replica cannot be reached")
        details = {"lag_seconds": round(lag, 1), "threshold_seconds": limit}
        if lag > limit:
            raise NotReady(f"the replica is {lag:.0f} s behind the primary")
        return details

    return check


READINESS_CHECKS: dict[str, Callable[[], dict]] = {
    "database": _database,
    "migrations": _migrations,
    "cache": _cache,
    "broker": _broker,
    "evidence_integration": _evidence_integration,
}


def readiness() -> Readiness:
    results = {}
    checks = {
        **READINESS_CHECKS,
        **{f"replica:{alias}": _replica(alias) for alias in settings.DATABASE_REPLICAS},
    }
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            details, error = check(), ""
        except NotReady as exc:
            details, error = {}, str(exc)
        except Exception as exc:  # noqa: BLE001 - a driver's message can name hosts and users
            details, error = {}, f"{type(exc).__name__} (details in the server log)"
            _log_failure(name)
        results[name] = CheckResult(not error, (time.perf_counter() - started) * 1000, error, details)
    return Readiness(results)


def _log_failure(name: str) -> None:
    logger.warning("Readiness check %s failed", name, exc_info=True)


# --- Answering the probes ---------------------------------------------------------------------


def _json(body: dict, status: int) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


class HealthProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path == "/healthz":
            return _json({"status": "alive"}, 200)
        if path == "/readyz":
            from .metrics import scrape_allowed

            report = readiness()
            body = report.as_dict()
            if not scrape_allowed(request):
                # The verdict is all a balancer needs; what failed and how far
                # replicas lag is for the operators' own network (or token).
                body = {"status": body["status"]}
            return _json(body, 200 if report.ready else 503)
        if path == "/metrics":
            from .metrics import metrics_view

            return metrics_view(request)
        return self.get_response(request)
