"""Reads from PostgreSQL streaming replicas, with read-your-writes.

The primary is ``default``; ``DATABASE_REPLICA_URLS`` adds ``replica1``,
``replica2``, … (settings). Nothing reads from a replica unless it says it
may: a view or selector that only reads, and would do no harm showing data a
second old, is wrapped in ``replica_reads`` (the cookie declaration, receipts,
the sharing log, lists, figures, transparency proofs). Inside it the router
sends reads to a replica, except:

- **read-your-writes**: whoever wrote something reads from the primary for
  ``READ_YOUR_WRITES_SECONDS`` afterwards (a cookie for browsers, the cache for
  API clients, who keep no cookie), and so does the rest of a request that
  has written;
- **a replica too far behind** (``REPLICA_MAX_LAG_SECONDS``, measured at most
  once a second per process), not streaming from the primary, or not a replica
  at all is skipped; with none close enough, the primary serves.

A block reads from one server only (its queries see one snapshot: a proof's
checkpoint and its tiles come from the same place), and a replica failing
mid-block sends the block again to the primary. Everything else (every write,
every transaction, every read outside ``replica_reads``, the values a process
keeps in ``core.hot_data``) stays on the primary, so a flow that reads what it
has just written never sees the past.
"""

import contextvars
import functools
import hashlib
import itertools
import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

# Whether the code running now may read from a replica (None: it may not; else the
# alias its block reads from, once chosen: one alias for the whole block, so its
# queries see one snapshot of one server); whether its client wrote recently (or
# it is a task: tasks always read the primary); whether it has written.
_replica_block: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "replica_block", default=None
)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("pinned_to_primary", default=False)
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("wrote", default=False)

PIN_COOKIE = "icx_primary"

logger = logging.getLogger(__name__)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", ()))


@contextmanager
def reads_from_replica():
    """Reads in this block may come from a replica: all from the same one (a
    block nested in another keeps the outer block's choice)."""
    if _replica_block.get() is not None:
        yield
        return
    token = _replica_block.set([])
    try:
        yield
    finally:
        _replica_block.reset(token)


@contextmanager
def reads_from_primary():
    """Reads in this block come from the primary, even inside ``replica_reads``
    (values a process keeps for later, which must never go back in time)."""
    token = _replica_block.set(None)
    try:
        yield
    finally:
        _replica_block.reset(token)


def replica_reads(function):
    """A view or selector whose reads may come from a replica (see the module).
    If the replica it read from fails (restarted, a query cancelled by a recovery
    conflict), the call is made again on the primary, unless it wrote meanwhile."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if _replica_block.get() is not None:  # inside an outer block: it decides
            return function(*args, **kwargs)
        with reads_from_replica():
            try:
                return function(*args, **kwargs)
            except DatabaseError:
                chosen = _replica_block.get()
                if not chosen or chosen[0] == "default" or _wrote.get():
                    raise
                replica_failed(chosen[0])
        with reads_from_primary():
            return function(*args, **kwargs)

    return wrapper


def pin_to_primary() -> None:
    """From now on in this context (a worker's tasks), every read goes to the primary."""
    _pinned.set(True)


# --- How far behind each replica is ---------------------------------------------------------------

# A server that is not in recovery is no replica (a promoted one, or a wrong URL);
# one whose WAL receiver is not streaming has stopped hearing from the primary, and
# "replayed all it received" would read as 0 for ever: both count as infinitely
# behind. (A role without pg_read_all_stats sees the receiver's row but not its
# status: then only its presence is checked.)
_LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 'Infinity'::float8
    WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status IS NULL OR status = 'streaming')
        THEN 'Infinity'::float8
    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)::float8
END
"""
_lag_seen: dict[str, tuple[float, float]] = {}  # alias -> (measured at, seconds behind)


def replica_lag_seconds(alias: str, *, fresh: bool = False) -> float:
    """Seconds the replica's replay is behind what it has received (0 when it has
    replayed all of it): measured at most once a second per process unless
    ``fresh``. A replica that cannot be asked counts as infinitely behind."""
    seen = _lag_seen.get(alias)
    if not fresh and seen is not None and time.monotonic() - seen[0] < 1.0:
        return seen[1]
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(_LAG_SQL)
            lag = float(cursor.fetchone()[0])
    except Exception:  # noqa: BLE001 - unreachable is the same as too far behind, for routing
        lag = float("inf")
    # Stamped after the attempt: a replica that took its connect timeout to fail is
    # not asked again by the very next read.
    _lag_seen[alias] = (time.monotonic(), lag)
    return lag


def replica_failed(alias: str) -> None:
    """A query on ``alias`` failed: skip it for the next second, and drop its
    connection (Django would reuse a broken one until the request ends)."""
    _lag_seen[alias] = (time.monotonic(), float("inf"))
    connections[alias].close()


# --- The router -------------------------------------------------------------------------------------

_turns = itertools.count()


class PrimaryReplicaRouter:
    """Settings: DATABASE_ROUTERS = ["core.replicas.PrimaryReplicaRouter"]."""

    def db_for_read(self, model, **hints):
        block = _replica_block.get()
        if block is None or _pinned.get() or _wrote.get() or connections["default"].in_atomic_block:
            return "default"
        if not block:
            block.append(self._choose())
        return block[0]

    @staticmethod
    def _choose() -> str:
        aliases = replica_aliases()
        if not aliases:
            return "default"
        start = next(_turns)
        for offset in range(len(aliases)):
            alias = aliases[(start + offset) % len(aliases)]
            if replica_lag_seconds(alias) <= settings.REPLICA_MAX_LAG_SECONDS:
                return alias
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


# --- Read-your-writes -----------------------------------------------------------------------------


_bookkeeping: contextvars.ContextVar[bool] = contextvars.ContextVar("bookkeeping", default=False)


@contextmanager
def bookkeeping_write():
    """A write that is not the client's data (when a token was last used): it does
    not send the client's next reads to the primary."""
    token = _bookkeeping.set(True)
    try:
        yield
    finally:
        _bookkeeping.reset(token)


def _notice_writes(execute, sql, params, many, context):
    """Marks the request (or task) as having written, so its later reads go to
    the primary (an execute wrapper on the primary's connections)."""
    if not _wrote.get() and not _bookkeeping.get() and _writes(sql):
        _wrote.set(True)
    return execute(sql, params, many, context)


def _writes(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    if head in ("INSERT", "UPDATE", "DELETE"):
        return True
    if head.startswith("WITH"):  # a data-modifying CTE (the consent write is one)
        upper = sql.upper()
        return any(verb in upper for verb in ("INSERT INTO", "UPDATE ", "DELETE FROM"))
    return "FOR UPDATE" in sql[-80:].upper()  # a row locked to be written


def _wrap_primary(sender, connection, **kwargs):
    if connection.alias == "default" and _notice_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_notice_writes)


def install_write_tracking() -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(_wrap_primary, dispatch_uid="core.replicas.write_tracking")


def _client_key(request) -> str | None:
    """An API client keeps no cookie: it is known by its credentials (hashed)."""
    credentials = request.headers.get("Authorization", "")
    if not credentials:
        return None
    return "replicas:wrote:" + hashlib.sha256(credentials.encode()).hexdigest()[:32]


class ReadYourWritesMiddleware:
    """Pins a request to the primary when its client wrote within
    READ_YOUR_WRITES_SECONDS, and marks the client when this request writes:
    a cookie holding the time the pin ends, and for a client that sends
    credentials instead of cookies, a cache entry under their hash."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        pinned, wrote = _pinned.set(self._wrote_recently(request)), _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get():
                self._remember(request, response)
            return response
        finally:
            _pinned.reset(pinned)
            _wrote.reset(wrote)

    @staticmethod
    def _wrote_recently(request) -> bool:
        until = request.COOKIES.get(PIN_COOKIE, "")
        if until.isdigit() and int(until) > time.time():
            return True
        key = _client_key(request)
        if key is None:
            return False
        try:
            return bool(cache.get(key))
        except Exception:  # noqa: BLE001 - the cache down: reading the primary is never stale
            logger.warning("Read-your-writes: the cache could not be read; this request reads the primary")
            return True

    @staticmethod
    def _remember(request, response) -> None:
        window = settings.READ_YOUR_WRITES_SECONDS
        response.set_cookie(
            PIN_COOKIE,
            str(int(time.time() + window)),
            max_age=int(window),
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        key = _client_key(request)
        if key is not None:
            try:
                cache.set(key, 1, timeout=window)
            except Exception:  # noqa: BLE001 - the write is committed: answering it matters more
                logger.warning(
                    "Read-your-writes: the cache could not be written; the client may read a replica"
                )
