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


# An address: ASCII or internationalised (user@пример.рф, a Unicode local part, a
# punycode domain), or percent-encoded as a query string carries it (alice%40example.org).
# The lengths are the standard's limits; they, and no "%" after the "@", keep a long
# unbroken token from making the search quadratic.
_EMAIL = re.compile(
    r"[^\s@<>()\[\]\"',;:]{1,64}(?:@|%40)[^\s@%<>()\[\]\"',;:]{1,253}\.(?:xn--[a-z0-9-]+|[^\W\d_]{2,})",
    re.IGNORECASE,
)
# An absolute URL: only its scheme and host are kept. Its path and query may hold a
# secret (a webhook's /services/T…/B…/<secret>, ?token=…), its user part a name.
_URL = re.compile(
    r"\b([a-z][a-z0-9+.-]*://)(?:[^\s/?#@<>\"']*@)?([^\s/?#@<>\"']*)([/?#][^\s<>\"']*)?",
    re.IGNORECASE,
)
_AFTER_URL = ".,:;!?)]"


def _url_origin(url: re.Match) -> str:
    # The punctuation that ends a sentence or a bracket after the URL stays in the text.
    scheme, host, rest = url.groups(default="")
    return scheme + host + rest[len(rest.rstrip(_AFTER_URL)) :]


# A relative URL's query string (urllib3's "Max retries exceeded with url: /hooks?token=…"):
# a "?" right after a path, then name=value.
_QUERY = re.compile(r"(?<=[\w/.~%-])\?[^\s<>\"'#?=]*=[^\s<>\"']*")


def without_personal_data(text: str) -> str:
    """The text with absolute URLs cut to their scheme and host, query strings
    removed and addresses replaced by ``[email]``."""
    if "://" in text:
        text = _URL.sub(_url_origin, text)
    if "?" in text:
        text = _QUERY.sub("", text)
    if "@" in text or "%40" in text:
        text = _EMAIL.sub("[email]", text)
    return text


class PersonalDataFilter(logging.Filter):
    """Keeps personal data and secrets out of what libraries log.

    - Django logs a failed request with the request object attached and its
      raw path as an argument: a path may carry a secret (a password-reset or
      confirmation key, an export link's token), so the path becomes the
      route it matched and the request object is dropped.
    - Celery logs a task's return value when it succeeds: ours return a
      status or counts ("sent", {"claimed": 3}), never a person's data.
    - In any message, an absolute URL keeps only its scheme and host, a query
      string is removed and an email address (a refused recipient in an SMTP
      error, say) becomes ``[email]``.
    - A call whose arguments do not fit its format (``"%s %s", 1``) is written
      with its format alone and the error's name: Handler.handle does not catch
      a filter's exception, so it would otherwise fail the request or the task.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = record.__dict__.pop("request", None)
        if request is not None and isinstance(record.args, tuple):
            path = getattr(request, "path", None)
            record.args = tuple(route_of(request) if arg == path else arg for arg in record.args)
        try:
            message = record.getMessage()
        except Exception as exc:  # noqa: BLE001 - whatever str() or % raised, the line is still written
            template = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
            message = f"{template} [log arguments did not fit: {exc.__class__.__name__}]"
            record.msg, record.args = message, ()
        cleaned = without_personal_data(message)
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
    may name an address or a URL)."""

    def process_log_record(self, log_data):
        allowed = {self._get_rename(name) for name in self._required_fields}
        allowed |= {
            self.timestamp if isinstance(self.timestamp, str) else "timestamp",
            "exc_info",
            "stack_info",
        }
        return {key: value for key, value in log_data.items() if key in allowed or key in LOGGED_EXTRA_FIELDS}

    def formatException(self, ei):
        return without_personal_data(super().formatException(ei))
