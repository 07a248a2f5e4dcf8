"""Structured logs: one JSON object per line, each with the id of the request
(or the task a request started) it belongs to, and no personal data.

The request id lives in a context variable: the web middleware sets it for a
request (icentrex.telemetry), Celery's signals carry it into the tasks that
request enqueued and set it while they run (icentrex.celery). The filters here
are attached to the handlers in ``settings.LOGGING``, so they see every
record, whichever library logged it.
"""

import contextvars
import logging
import re
import secrets

from pythonjsonlogger.json import JsonFormatter

# No line says which source line wrote it (the fields below are the ones written),
# so logging need not walk the stack for the caller of every record: that was most
# of the cost of an access line. (Thread and process ids stay: gunicorn's own
# formatter prints the process.)
logging._srcfile = None

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
task_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="")

# What a client may send as X-Request-ID: a load balancer's or a trace id.
# Anything else (too long, spaces, other characters) is replaced, never logged.
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")


def request_id_from(header: str | None) -> str:
    """The client's id when it is a plausible one, else a new one (32 hex digits)."""
    if header and _CLIENT_REQUEST_ID.fullmatch(header):
        return header
    return secrets.token_hex(16)


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id`` to every record (empty outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.task_id = task_id_var.get()
        return True


_EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+\.[A-Za-z]{2,}")


def without_addresses(text: str) -> str:
    return _EMAIL.sub("[email]", text) if "@" in text else text


class PersonalDataFilter(logging.Filter):
    """Keeps personal data out of what libraries log.

    - Django logs a failed request with the request object attached and its
      raw path as an argument: a path may carry a secret (a password-reset or
      confirmation key, an export link's token), so the path becomes the
      route it matched and the request object is dropped.
    - Celery logs a task's return value when it succeeds: ours return a
      status or counts ("sent", {"claimed": 3}), never a person's data.
    - An email address in any message (a refused recipient in an SMTP error,
      say) is replaced by ``[email]``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = record.__dict__.pop("request", None)
        if request is not None and isinstance(record.args, tuple):
            path = getattr(request, "path", None)
            record.args = tuple(route_of(request) if arg == path else arg for arg in record.args)
        message = record.getMessage()
        cleaned = without_addresses(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def route_of(request) -> str:
    """The URL pattern a request matched (``invitations/<str:token>/``), which
    names the page without the values in its path; "(unmatched)" for a 404."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "(unmatched)"
    return "/" + match.route


# What a line may hold besides the formatter's own fields (time, level, logger, message,
# request and task ids) and a traceback. An app that logs a field with ``extra=`` lists
# it here: libraries attach whole objects as extras — Celery a received task's
# arguments (an email's body with its confirmation link), Django the request.
LOGGED_EXTRA_FIELDS = frozenset({"method", "route", "status", "duration_ms", "status_code"})


class JsonLineFormatter(JsonFormatter):
    """python-json-logger's formatter, writing only the fields allowed above,
    with the exception text cleaned as the message is (an exception's message
    may name an address)."""

    def process_log_record(self, log_data):
        allowed = {self._get_rename(name) for name in self._required_fields}
        allowed |= {
            self.timestamp if isinstance(self.timestamp, str) else "timestamp",
            "exc_info",
            "stack_info",
        }
        return {key: value for key, value in log_data.items() if key in allowed or key in LOGGED_EXTRA_FIELDS}

    def formatException(self, ei):
        return without_addresses(super().formatException(ei))
