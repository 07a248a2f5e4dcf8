import os

from celery import Celery
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icentrex.settings.local")

app = Celery("icentrex")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _redbeat_settings(sender, **kwargs):
    """celery-redbeat looks for its settings under their bare names
    (redbeat_redis_url), which the CELERY_ namespace of Django's settings does
    not produce: hand them over."""
    for key in list(sender.conf.keys()):
        if key.startswith("CELERY_REDBEAT_"):
            sender.conf[key.removeprefix("CELERY_").lower()] = sender.conf[key]


# The header that carries the id of the request (or task) that enqueued a task.
REQUEST_ID_HEADER = "icentrex_request_id"


@setup_logging.connect
def _keep_django_logging(**kwargs):
    """Workers and beat log as the web does (settings.LOGGING: JSON lines with the
    request id, no personal data): Celery configures no logging of its own when
    this signal has a receiver, and Django applied LOGGING when it set up."""


@before_task_publish.connect
def _carry_request_id(headers=None, **kwargs):
    from core.logs import request_id_var

    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers[REQUEST_ID_HEADER] = request_id


# The context each running task replaced, to put back when it ends (a task run
# in-process with .apply() must not leave its ids on its caller).
_outer_contexts: dict[str, tuple] = {}


@task_prerun.connect
def _enter_task_context(task_id=None, task=None, **kwargs):
    from core.logs import request_id_var, task_id_var
    from core.replicas import pin_to_primary

    pin_to_primary()  # a task reads what it (or the request before it) has just written

    # The request id of whatever enqueued it (a task enqueued by this one carries it on).
    request_id = getattr(task.request, REQUEST_ID_HEADER, None) or ""
    _outer_contexts[task_id] = (request_id_var.set(request_id), task_id_var.set(task_id or ""))


@task_postrun.connect
def _leave_task_context(task_id=None, **kwargs):
    from core.logs import request_id_var, task_id_var

    tokens = _outer_contexts.pop(task_id, None)
    if tokens is not None:
        request_id_var.reset(tokens[0])
        task_id_var.reset(tokens[1])


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
