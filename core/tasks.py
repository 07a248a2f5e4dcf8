"""What every app's background work shares: the options of email tasks and
the one way to enqueue a task from a service."""

import smtplib
from functools import partial

from django.db import transaction

# Every email task: SMTP and network errors are retried with growing pauses
# (30 s up to 30 min, 8 times); the task's own "sent" column keeps it from sending twice.
EMAIL_TASK_OPTIONS = {
    "bind": True,
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "max_retries": 8,
}


def enqueue_on_commit(task, *args) -> None:
    """Send ``task(*args)`` to the workers once the current transaction commits
    (at once outside one), so a worker never reads a row that is not there yet.

    Robust: the write has committed by then, so a broker that cannot be reached
    is logged instead of failing the request; the row's status column and the
    periodic sweeps pick the work up (DESIGN.md, "Background work")."""
    transaction.on_commit(partial(task.delay, *args), robust=True)
