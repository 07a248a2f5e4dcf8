"""Webhook deliveries (DESIGN.md, "Background work"): tasks take ids, re-read
the database and are idempotent. The sharing log is sealed and verified by
audit.tasks with the other evidence streams (integrations.streams)."""

from celery import shared_task


@shared_task
def webhook_deliver(delivery_id: int) -> str:
    """One attempt; a failed attempt schedules the next one with back-off."""
    from .services.webhooks import _enqueue_delivery, webhook_deliver_once

    retry_in = webhook_deliver_once(delivery_id=delivery_id)
    if retry_in is None:
        return "done"
    _enqueue_delivery(delivery_id, countdown=retry_in)
    return f"retrying in {retry_in:.0f} s"


@shared_task
def webhook_sweep() -> dict:
    """Celery beat, every minute: recover deliveries lost to a crash or a lost message."""
    from .services.webhooks import webhook_sweep as sweep

    return sweep()
