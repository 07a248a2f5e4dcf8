"""Delivering shares as signed webhooks, after commit: one claimed attempt at a
time, retries with back-off, and the sweep that recovers lost deliveries."""

import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time
import uuid
from datetime import timedelta
from functools import lru_cache

import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone

from subjects.services import secret_unseal

from .. import tasks
from ..models import WebhookDelivery

logger = logging.getLogger(__name__)


def _enqueue_delivery(delivery_id: int, countdown: float = 0) -> None:
    tasks.webhook_deliver.apply_async((delivery_id,), countdown=countdown)


_session = None


def _http():
    """One keep-alive session per process: connection reuse matters at hundreds of deliveries a second."""
    global _session
    if _session is None:
        _session = requests.Session()
    return _session


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>": the receiver checks both, so a
    captured request cannot be replayed later with a new timestamp."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


_CLAIM = """
    UPDATE integrations_webhookdelivery
       SET status = 'delivering', claimed_at = %(now)s
      FROM integrations_installation AS i, integrations_provider AS p
     WHERE integrations_webhookdelivery.id = %(id)s
       AND integrations_webhookdelivery.status = 'pending'
       AND (integrations_webhookdelivery.next_attempt_at IS NULL
            OR integrations_webhookdelivery.next_attempt_at <= %(now)s)
       AND i.id = integrations_webhookdelivery.installation_id AND p.id = i.provider_id
 RETURNING integrations_webhookdelivery.idempotency_key, integrations_webhookdelivery.kind,
           integrations_webhookdelivery.payload, integrations_webhookdelivery.created_at,
           integrations_webhookdelivery.attempts, p.webhook_url, p.signing_secret_sealed
"""


def _claim(delivery_id: int, now):
    if connection.vendor == "postgresql":  # one round trip on the hot path
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM, {"id": delivery_id, "now": now})
            return cursor.fetchone()
    # SQLite's RETURNING cannot name joined tables: claim, then read.
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .exclude(next_attempt_at__gt=now)
        .update(status=WebhookDelivery.Status.DELIVERING, claimed_at=now)
    )
    if not claimed:
        return None
    return (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .values_list(
            "idempotency_key",
            "kind",
            "payload",
            "created_at",
            "attempts",
            "installation__provider__webhook_url",
            "installation__provider__signing_secret_sealed",
        )
        .first()
    )


@lru_cache(maxsize=256)
def _signing_secret(sealed: str) -> str:
    return secret_unseal(sealed)


def webhook_deliver_once(*, delivery_id: int) -> float | None:
    """Attempt one delivery. Returns seconds until the next attempt when it
    must be retried, else None (delivered, failed for good, or not ours to do:
    another task holds it or it is already done).

    The claim is one conditional UPDATE (pending and due -> delivering) that
    also returns what the request needs: whoever's UPDATE matches owns the
    attempt, so concurrent or duplicated tasks never both send."""
    now = timezone.now()
    claimed = _claim(delivery_id, now)
    if claimed is None:
        due = (
            WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        return (due - now).total_seconds() if due and due > now else None
    key, kind, payload, created_at, attempts, url, sealed_secret = claimed
    if isinstance(payload, str):  # SQLite returns JSON as text
        payload = json.loads(payload)
    key = uuid.UUID(str(key))
    body = json.dumps(
        {"id": str(key), "type": kind, "created": _iso(created_at), "data": payload},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    timestamp = int(time.time())
    signature = webhook_signature(_signing_secret(sealed_secret), timestamp, body)
    error = ""
    try:
        response = _http().post(
            url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "iCentrex-Webhooks/1",
                "Idempotency-Key": str(key),
                "X-iCentrex-Signature": f"t={timestamp},v1={signature}",
            },
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        if not 200 <= response.status_code < 300:
            error = f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        error = _failure_of(exc)
    return _delivery_outcome(delivery_id, attempts + 1, error)


# What went wrong under a failed request, found in the chain of exceptions requests
# and urllib3 raise (ConnectionError <- MaxRetryError <- NewConnectionError <-
# ConnectionRefusedError); the first kind listed that is in the chain names it.
_FAILURE_KINDS = (
    (socket.gaierror, "DNS"),
    (ssl.SSLError, "TLS"),
    (ConnectionRefusedError, "refused"),
    (TimeoutError, "timeout"),
    (http.client.HTTPException, "not an HTTP response"),
    (ConnectionResetError, "reset"),
)


def _failure_of(exc: requests.RequestException) -> str:
    """The error a failed request is logged and stored with: its class and, for a
    connection, what went wrong. Never the exception's text: requests and urllib3
    put the URL's path and query in it, where a webhook URL keeps its secret
    (Slack's /services/T…/B…/<secret>)."""
    chain = []
    link = exc
    while link is not None and link not in chain:
        chain.append(link)
        link = link.__cause__ or link.__context__
    for kind_of, kind in _FAILURE_KINDS:
        if any(isinstance(link, kind_of) for link in chain):
            return f"{exc.__class__.__name__} ({kind})"
    return exc.__class__.__name__


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _delivery_outcome(delivery_id: int, attempts: int, error: str) -> float | None:
    now = timezone.now()
    retry_in = None
    change = {"attempts": attempts, "last_error": error}
    if not error:
        change.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now)
    elif attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        change.update(status=WebhookDelivery.Status.FAILED)
        logger.warning("webhook delivery %s failed for good: %s", delivery_id, error)
    else:
        retry_in = settings.WEBHOOK_RETRY_SECONDS * 2 ** (attempts - 1)
        change.update(
            status=WebhookDelivery.Status.PENDING, next_attempt_at=now + timedelta(seconds=retry_in)
        )
    # Only if still ours: removing the installation may have cancelled it meanwhile.
    WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.DELIVERING).update(**change)
    return retry_in


def webhook_sweep(*, stale_after: timedelta | None = None) -> dict:
    """Celery beat: deliveries a dead worker left "delivering" go back to
    pending (sent again with the same idempotency key), and pending ones that
    are due are enqueued again (a lost message). Duplicated tasks are harmless."""
    stale_after = (
        stale_after if stale_after is not None else timedelta(seconds=settings.WEBHOOK_STALE_SECONDS)
    )
    before = timezone.now() - stale_after
    released = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.DELIVERING, claimed_at__lte=before
    ).update(status=WebhookDelivery.Status.PENDING)
    due = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, created_at__lte=before)
        .exclude(next_attempt_at__gt=timezone.now())
        .values_list("pk", flat=True)[:10_000]
    )
    for delivery_id in due:
        _enqueue_delivery(delivery_id)
    return {"released": released, "enqueued": len(due)}
