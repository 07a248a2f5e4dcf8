import os
import smtplib

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icentrex.settings.local")

app = Celery("icentrex")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every email task: SMTP and network errors are retried with growing pauses
# (30 s up to 30 min, 8 times); the task's own "sent" column keeps it from sending twice.
EMAIL_TASK_OPTIONS = {
    "bind": True,
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "max_retries": 8,
}


@task_prerun.connect
def _retire_old_connections(task=None, **kwargs):
    """What Django does at the start of every request, at the start of every
    task in a worker: drop database connections that are broken or older than
    CONN_MAX_AGE (Celery's own per-task closing is off: CELERY_DB_REUSE_MAX).
    Not for tasks run in-process (eager): that connection is the caller's."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
