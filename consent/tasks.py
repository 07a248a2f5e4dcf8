import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def consent_seal() -> int:
    """Celery beat, every minute: seal what is unsealed (idempotent: a record is
    in at most one seal, enforced by a unique constraint)."""
    from .services import consent_seal_pending

    sealed = 0
    while (seal := consent_seal_pending()) is not None:
        sealed += seal.record_count
    return sealed


@shared_task
def consent_verify() -> dict:
    from .selectors import consent_seals_verify

    seals, records, broken = consent_seals_verify()
    if broken:
        logger.error("Consent seal %s broken: %s", broken.seal_id, broken.reason)
    return {"seals": seals, "records": records, "broken_seal": broken.seal_id if broken else None}
