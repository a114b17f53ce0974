"""Thin Celery wrappers around the reports' services: each task imports its service inside
its body (the service modules import these tasks to publish them after commit)."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

# Worth another try: the database or the storage was briefly unreachable.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task
def regional_snapshot_task() -> int:
    """This training year's regional figures, worked out for the dashboard (hourly)."""
    from django.utils import timezone

    from mentors.models import training_year_start

    from .regional import regional_snapshot

    year = training_year_start(timezone.localdate()).year
    regional_snapshot(year=year, refresh=True)
    return year


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60)
def past_regional_snapshots_task(years: int = 10) -> list[int]:
    """The past training years' figures, for the Trust dashboard's years (nightly): entries
    of a past year can still be corrected until the year is closed."""
    from django.utils import timezone

    from mentors.models import training_year_start

    from .regional import regional_snapshot

    current = training_year_start(timezone.localdate()).year
    done = []
    for year in range(current - 1, current - 1 - years, -1):
        regional_snapshot(year=year, refresh=True)
        done.append(year)
    return done


@shared_task(bind=True, max_retries=3, time_limit=15 * 60, soft_time_limit=14 * 60)
def generate_report_task(self, *, generation_id: int, request_id: str) -> str:
    """Make one Trust's report files, or the regional compendium (`generation.py`)."""
    from .generation import generation_fail, generation_note_retry, generation_run

    try:
        return generation_run(generation_id=generation_id, request_id=request_id)
    except TRANSIENT as error:
        message = f"{type(error).__name__}: {error}"
        if self.request.retries < self.max_retries:
            generation_note_retry(
                generation_id=generation_id,
                request_id=request_id,
                message=f"Trying again after a passing error ({message}).",
            )
            raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error
        generation_fail(generation_id=generation_id, request_id=request_id, message=message)
        return "failed"
    except Exception as error:
        logger.exception("Report generation %s failed", generation_id)
        generation_fail(
            generation_id=generation_id,
            request_id=request_id,
            message=f"{type(error).__name__}: {error}",
        )
        return "failed"


@shared_task
def generations_sweep_task() -> int:
    """Queue again generations whose task was lost or whose worker died (every 10 minutes)."""
    from .generation import generations_requeue_lost

    return generations_requeue_lost()


@shared_task
def report_reminders_task() -> int:
    """Remind the Trusts that have not submitted, on the fixed days around the due date."""
    from .reminders import reminders_send_due

    return reminders_send_due()


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=6)
def report_email_task(*, report_id: int, what: str) -> bool:
    """Tell the Trust's CLM that their report was returned or accepted."""
    from .reminders import report_decision_send

    return report_decision_send(report_id=report_id, what=what)
