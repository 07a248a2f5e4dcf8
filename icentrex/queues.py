"""The Celery queues and how deep each is.

Three queues, so bulk work never delays what must happen within seconds
(settings.CELERY_TASK_QUEUES; CELERY_TASK_ROUTES say which task goes where):

- ``critical``: adding evidence to the transparency logs, webhook deliveries;
- ``celery`` (Celery's default name, kept so messages queued before the split
  are still consumed): emails to one person, erasure, sweeps;
- ``bulk``: policy-notice fan-out, email disclosure runs and letters, exports,
  evidence packs, nightly verification and record editions.

A worker started without ``-Q`` consumes all three (the embedded profile and
the tests); production runs one pool on ``critical`` and others on the rest
(README, "Running in production").
"""

from django.conf import settings
from kombu.exceptions import ChannelError


def queue_depths() -> dict[str, int]:
    """Messages waiting in each queue, as the broker counts them (on Redis the
    queue's lists, one per priority; in the embedded broker, its files). A
    queue never declared yet holds nothing."""
    from .celery import app

    depths = {}
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        for queue in (queue.name for queue in settings.CELERY_TASK_QUEUES):
            try:
                depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
            except ChannelError:
                depths[queue] = 0
    return depths
