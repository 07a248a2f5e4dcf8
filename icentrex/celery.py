import os

from celery import Celery
from celery.signals import task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icentrex.settings.local")

app = Celery("icentrex")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _retire_old_connections(**kwargs):
    """What Django does at the start of every request, at the start of every
    task: drop database connections that are broken or older than CONN_MAX_AGE
    (Celery's own per-task closing is off: CELERY_DB_REUSE_MAX)."""
    from django.db import close_old_connections

    close_old_connections()


@worker_init.connect
def _retire_connections_in_workers(**kwargs):
    # Only a worker owns its connections; a task run in-process with .apply()
    # (a test that says so) uses its caller's, which must not be closed under it.
    task_prerun.connect(_retire_old_connections, weak=False)
