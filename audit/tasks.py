import logging

from celery import shared_task

from .selectors import audit_chain_verify

logger = logging.getLogger(__name__)


@shared_task
def audit_verify_chain() -> dict:
    """Nightly (Celery beat) check of the whole chain; a break is logged as an
    error so monitoring picks it up. Read-only, so safe to repeat."""
    checked, broken = audit_chain_verify()
    if broken:
        logger.error("Audit chain broken at event %s: %s", broken.event_id, broken.reason)
        return {"checked": checked, "broken_at": broken.event_id, "reason": broken.reason}
    return {"checked": checked, "broken_at": None}
