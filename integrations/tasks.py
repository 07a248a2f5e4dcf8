"""Webhook deliveries and the sharing log's seals (DESIGN.md, "Background
work"): tasks take ids, re-read the database and are idempotent."""

from celery import shared_task


@shared_task
def webhook_deliver(delivery_id: int) -> str:
    """One attempt; a failed attempt schedules the next one with back-off."""
    from .services import _enqueue_delivery, webhook_deliver_once

    retry_in = webhook_deliver_once(delivery_id=delivery_id)
    if retry_in is None:
        return "done"
    _enqueue_delivery(delivery_id, countdown=retry_in)
    return f"retrying in {retry_in:.0f} s"


@shared_task
def webhook_sweep() -> dict:
    """Celery beat, every minute: recover deliveries lost to a crash or a lost message."""
    from .services import webhook_sweep as sweep

    return sweep()


@shared_task
def sharing_seal() -> int:
    """Celery beat, every minute: seal the sharing events no seal covers yet."""
    from .services import sharing_seal_pending

    sealed = 0
    while (seal := sharing_seal_pending()) is not None:
        sealed += seal.record_count
    return sealed


@shared_task
def sharing_verify() -> dict:
    """Celery beat, nightly: the sharing-log seals still match the events."""
    import logging

    from .selectors import sharing_seals_verify

    seals, events, broken = sharing_seals_verify()
    if broken:
        logging.getLogger(__name__).error("Sharing seal %s broken: %s", broken.seal_id, broken.reason)
    return {"seals": seals, "events": events, "broken_seal": broken.seal_id if broken else None}
