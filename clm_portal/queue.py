"""Publishing Celery tasks so that a slow or absent broker never blocks or fails a request."""

import logging
import time

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

# After a failed or slow publish, publishing to that broker is skipped for this long (per
# process).
SKIP_SECONDS = 30.0
# A publish slower than this counts as a failure: the broker is stuck, not merely busy.
SLOW_SECONDS = 1.0
# Socket timeouts for publishing from a request (the worker keeps the broker's own).
PUBLISH_SOCKET_TIMEOUT = 0.5

# Broker URL -> when to try publishing to it again.
_skip_until: dict[str, float] = {}


def reset_breaker() -> None:
    """Publish again on the next call."""
    _skip_until.clear()


def _trip(broker: str, reason: str) -> None:
    _skip_until[broker] = time.monotonic() + SKIP_SECONDS
    logger.error("%s; not publishing tasks for %d s (the sweepers re-queue).", reason, SKIP_SECONDS)


def _publish(task: Task, kwargs: dict) -> None:
    options = {
        **(task.app.conf.broker_transport_options or {}),
        "socket_timeout": PUBLISH_SOCKET_TIMEOUT,
        "socket_connect_timeout": PUBLISH_SOCKET_TIMEOUT,
        # One connection attempt: kombu would otherwise retry for seconds.
        "max_retries": 0,
    }
    with task.app.connection_for_write(transport_options=options) as connection:
        # retry=False: one attempt; a retry would only hold the request longer.
        task.apply_async(kwargs=kwargs, connection=connection, retry=False)


def enqueue_on_commit(task: Task, **kwargs) -> None:
    """Queue `task` once the current transaction commits; never raise, never wait long.

    Work that must not be lost also has a row that a beat sweeper re-queues (for example an
    invitation whose `sent_at` is still empty), so a skipped or failed publish only delays it.
    """

    def publish() -> None:
        if task.app.conf.task_always_eager:
            # In-process (development, unit tests): no broker to protect the request from.
            try:
                task.delay(**kwargs)
            except Exception:
                logger.exception("Task %s %s failed; the sweeper will retry it.", task.name, kwargs)
            return
        broker = str(task.app.conf.broker_url)
        if time.monotonic() < _skip_until.get(broker, 0.0):
            logger.warning(
                "Broker recently unavailable: %s %s left to the sweeper.", task.name, kwargs
            )
            return
        started = time.monotonic()
        try:
            _publish(task, kwargs)
        except Exception as error:
            _trip(broker, f"Could not queue {task.name} {kwargs} ({type(error).__name__}: {error})")
            return
        if time.monotonic() - started > SLOW_SECONDS:
            _trip(broker, f"Queueing {task.name} took {time.monotonic() - started:.1f} s")

    transaction.on_commit(publish)
