"""Helpers for the integration tests: Redis, the project's Celery app, emails on disk."""

from __future__ import annotations

import email
import email.policy
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import pytest
import redis

from clm_portal.celery_app import app as celery_app

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_url_for_tests() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def redis_answers(url: str) -> tuple[bool, str]:
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    try:
        return bool(client.ping()), ""
    except redis.RedisError as error:
        return False, f"{url}: {error}"
    finally:
        client.close()


def unique_queue_name() -> str:
    """One queue per test: xdist workers and concurrent runs share the Redis database."""
    return f"clm-test.{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.{uuid.uuid4().hex[:12]}"


@contextmanager
def refusing_broker() -> Iterator[str]:
    """A Redis URL on a local port where nothing listens: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0"


@contextmanager
def silent_broker() -> Iterator[str]:
    """A Redis URL whose server accepts connections and never answers (a stuck Redis)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


def drop_broker_connections() -> None:
    """Close pooled broker connections and forget the cached queues and routes, so that new
    settings take effect (kombu keeps its pools process-wide, keyed by broker URL)."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


@contextmanager
def celery_configured(*, broker_url: str, queue: str) -> Iterator[None]:
    """Publish for real to `broker_url` (queue `queue`) for the duration; then restore."""
    changes = {
        "broker_url": broker_url,
        "task_always_eager": False,
        "task_default_queue": queue,
        # The test process owns logging; the worker needs no remote control either.
        "worker_hijack_root_logger": False,
        "worker_enable_remote_control": False,
    }
    saved = {key: celery_app.conf[key] for key in changes}
    celery_app.conf.update(changes)
    drop_broker_connections()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        drop_broker_connections()


def delete_queue(redis_url: str, queue: str) -> None:
    """Remove the queue's keys (its list, kombu's binding sets) so a run leaves nothing behind."""
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=2)
    try:
        keys = [f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"]
        keys += client.scan_iter(match=f"{queue}*")  # the queue and its priority lists
        client.delete(*keys)
    except redis.RedisError:
        logging.getLogger(__name__).warning("Could not delete test queue %s", queue)
    finally:
        client.close()


def leave_logging_alone(**kwargs) -> None:
    """A setup_logging receiver: with one connected, Celery leaves the root logger as it is."""


class TaskFailures(list):
    """Exceptions raised by tasks in the embedded worker, for clear assertion messages."""

    def on_failure(self, sender=None, task_id=None, exception=None, **kwargs):
        self.append(f"{getattr(sender, 'name', sender)}: {type(exception).__name__}: {exception}")


def read_emails(directory: Path) -> list[email.message.EmailMessage]:
    """Every message the file-based backend wrote (one file per connection)."""
    separator = b"\n" + b"-" * 79 + b"\n"
    messages = []
    for path in sorted(directory.iterdir()):
        for chunk in path.read_bytes().split(separator):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def wait_for(condition: Callable[[], object], *, timeout: float, failures: list | None = None):
    """Poll `condition` until it returns something truthy; stop early if a task failed."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if failures:
            pytest.fail("A task failed in the Celery worker:\n" + "\n".join(failures))
        if time.monotonic() > deadline:
            return result
        time.sleep(0.1)
