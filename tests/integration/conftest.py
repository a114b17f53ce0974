"""A real Celery worker on a real Redis, for the integration tests.

The unit tests run tasks in-process (settings_test: CELERY_TASK_ALWAYS_EAGER). Here the
project's own Celery app (clm_portal.celery_app.app) is pointed at Redis for one test, with a
queue of its own so that parallel pytest-xdist workers (and other test runs on the same
Redis) never take each other's tasks, and an embedded worker consumes that queue in a thread
of the test process. The worker's thread has its own database connection, so these tests use
`transactional_db`: it sees only what was committed, as a real worker would.

Redis: $REDIS_URL, else redis://127.0.0.1:6379/15. Without it the tests skip, unless
REQUIRE_SERVICES=1 (CI), where they fail.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker

from clm_portal.celery_app import app as celery_app
from tests.conftest import need

from .support import (
    TaskFailures,
    celery_configured,
    delete_queue,
    leave_logging_alone,
    redis_answers,
    redis_url_for_tests,
    unique_queue_name,
)


@pytest.fixture
def redis_url() -> str:
    url = redis_url_for_tests()
    ok, why = redis_answers(url)
    need("Redis", ok, why)
    return url


@pytest.fixture
def celery_worker_on_redis(redis_url, transactional_db, monkeypatch):
    """Start an embedded worker on Redis; yields `TaskFailures` (empty while all is well)."""
    queue = unique_queue_name()
    failures = TaskFailures()
    # Celery's log setup writes these; put them back afterwards.
    for name in (
        "CELERY_LOG_LEVEL",
        "CELERY_LOG_FILE",
        "_MP_FORK_LOGLEVEL_",
        "_MP_FORK_LOGFILE_",
        "_MP_FORK_LOGFORMAT_",
    ):
        monkeypatch.setenv(name, os.environ.get(name, ""))
    warnings_were_captured = logging._warnings_showwarning is not None  # type: ignore[attr-defined]
    signals.setup_logging.connect(leave_logging_alone)
    signals.task_failure.connect(failures.on_failure)
    try:
        with celery_configured(broker_url=redis_url, queue=queue):
            try:
                with start_worker(
                    celery_app,
                    pool="solo",
                    concurrency=1,
                    perform_ping_check=False,  # needs a result backend; we have none
                    shutdown_timeout=30,
                    loglevel="WARNING",
                ):
                    yield failures
            finally:
                delete_queue(redis_url, queue)
    finally:
        signals.task_failure.disconnect(failures.on_failure)
        signals.setup_logging.disconnect(leave_logging_alone)
        if not warnings_were_captured:
            logging.captureWarnings(False)


@pytest.fixture
def email_dir(tmp_path, settings) -> Path:
    """Django's file-based email backend, writing into a fresh directory."""
    directory = tmp_path / "emails"
    directory.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(directory)
    return directory
