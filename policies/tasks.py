"""Policy change notices (DESIGN.md, "Background work"): tasks take ids, re-read
the database and are idempotent; notices_sweep catches up what was lost."""

from celery import shared_task


@shared_task
def notices_fan_out(run_id: int) -> int:
    """Split a published version's notice run into user ranges and enqueue one
    task per range. Returns the number of ranges enqueued."""
    from .services import _enqueue_chunk, notice_run_plan

    chunk_ids = notice_run_plan(run_id=run_id)
    for chunk_id in chunk_ids:
        _enqueue_chunk(chunk_id)
    return len(chunk_ids)


@shared_task
def notices_deliver_chunk(chunk_id: int) -> str:
    """Write and send one range's notices; come back later for retries that are
    not due yet (email errors back off exponentially)."""
    from .services import _enqueue_chunk, notice_chunk_deliver

    come_back_in = notice_chunk_deliver(chunk_id=chunk_id)
    if come_back_in is None:
        return "done"
    _enqueue_chunk(chunk_id, countdown=come_back_in)
    return f"retrying in {come_back_in:.0f} s"


@shared_task
def notices_sweep() -> dict:
    """Celery beat, every minute: relay unstarted runs, release notices a dead
    worker held, resume stale ranges. (A finished run nobody sealed is sealed
    by audit.tasks.evidence_seal: see policies.streams.)"""
    from .services import notices_sweep as sweep

    return sweep()
