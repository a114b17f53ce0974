"""Publishing Celery tasks so that a slow or absent broker never blocks or fails a request."""

import logging

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, **kwargs) -> None:
    """Queue `task` once the current transaction commits; log (never raise) if Redis is down.

    Work that must not be lost also has a row that a beat sweeper re-queues (for example an
    invitation whose `sent_at` is still empty), so a failed publish only delays it.
    """

    def publish() -> None:
        try:
            task.delay(**kwargs)
        except Exception:
            logger.exception("Could not queue %s %s; the sweeper will retry it.", task.name, kwargs)

    transaction.on_commit(publish)
