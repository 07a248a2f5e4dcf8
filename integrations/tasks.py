"""Webhook deliveries (DESIGN.md, "Background work"): tasks take ids, re-read
the database and are idempotent. The sharing log is sealed and verified by
audit.tasks with the other evidence streams (integrations.streams)."""

from celery import shared_task

from core.tasks import EMAIL_TASK_OPTIONS


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


# --- Sub-processor change notices ---------------------------------------------------------------


@shared_task
def subprocessor_notices_plan(change_id: int) -> int:
    """Plan one notice per subscriber (idempotent), then send them."""
    from .services.subprocessors import subprocessor_notices_plan as plan

    planned = plan(change_id=change_id)
    subprocessor_notices_send.delay()
    return planned


# Batches per task run: the run ends and queues the next, so no worker is held long.
NOTICE_BATCHES_PER_RUN = 10


@shared_task(**EMAIL_TASK_OPTIONS)
def subprocessor_notices_send(self) -> int:
    from .services.subprocessors import SEND_BATCH
    from .services.subprocessors import subprocessor_notices_send as send

    sent = send(max_batches=NOTICE_BATCHES_PER_RUN)
    if sent >= NOTICE_BATCHES_PER_RUN * SEND_BATCH:
        subprocessor_notices_send.delay()  # more may wait
    return sent


@shared_task(**EMAIL_TASK_OPTIONS)
def subprocessor_confirmation_send(self, subscription_id: int, token: str) -> str:
    from .services.subprocessors import subprocessor_confirmation_send as send

    return send(subscription_id=subscription_id, token=token)


@shared_task
def subprocessor_changes_hourly() -> dict:
    """Celery beat, hourly: apply changes whose notice period is over, plan
    the notices of changes whose planning message was lost, send what is
    planned and unsent."""
    from .models import SubprocessorChange, SubprocessorNoticeDelivery
    from .services.subprocessors import subprocessor_changes_apply
    from .services.subprocessors import subprocessor_notices_plan as plan

    applied = subprocessor_changes_apply()
    unplanned = list(SubprocessorChange.objects.filter(planned_at__isnull=True).values_list("pk", flat=True))
    for change_id in unplanned:
        plan(change_id=change_id)
    if SubprocessorNoticeDelivery.objects.filter(sent_at__isnull=True).exists():
        subprocessor_notices_send.delay()
    return {"applied": applied, "planned": len(unplanned)}
