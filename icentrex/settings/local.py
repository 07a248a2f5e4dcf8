"""The embedded profile behind the first README command: SQLite and in-process
tasks unless DATABASE_URL / CELERY_BROKER_URL say otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)

# Static files straight from the app folders: no collectstatic for local runs.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
