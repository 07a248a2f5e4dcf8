"""What every request and every query reports: a request id, one access-log
line, and Prometheus counters (icentrex.metrics defines them).

One middleware does all three, first in the stack, so it times the whole
request and sees every answer, the ones other middleware give on their own
included. It logs the route a request matched, never its path: a path may
hold a secret (core.logs).
"""

import logging
import time

from django.db.backends.signals import connection_created

from core.logs import request_id_from, request_id_var, route_of

from . import metrics

access_log = logging.getLogger("icentrex.access")

REQUEST_ID_HEADER = "X-Request-ID"


class RequestTelemetryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(request_id)
        try:
            started = time.perf_counter()
            # Django turns a view's exception into a response before it gets here.
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            route = route_of(request)
            response[REQUEST_ID_HEADER] = request_id
            metrics.http_request_observe(request.method, route, response.status_code, elapsed)
            access_log.info(
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def _timed_query(execute, sql, params, many, context):
    """Counts and times each query (Django's execute wrapper hook)."""
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    except Exception:
        metrics.db_error_observe(context["connection"].alias)
        raise
    finally:
        metrics.db_query_observe(context["connection"].alias, sql, time.perf_counter() - started)


def _wrap_connection(sender, connection, **kwargs):
    # A connection object outlives its reconnections: wrap it once.
    if _timed_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_timed_query)


def install_query_metrics() -> None:
    connection_created.connect(_wrap_connection, dispatch_uid="icentrex.telemetry.query_metrics")
