from celery import shared_task
from django.conf import settings


@shared_task
def record_editions_daily() -> dict:
    """Every night (Celery beat): keep an edition of each record of
    processing that changed since its last one, in every language offered."""
    from .services import record_editions_daily as keep

    return {language: keep(language=language) for language, _name in settings.LANGUAGES}
