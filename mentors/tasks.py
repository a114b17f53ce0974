"""Thin Celery wrappers: each task imports its service inside its body (the service module
imports these tasks to publish them after commit)."""

from datetime import date
from smtplib import SMTPException

from celery import shared_task


@shared_task
def weekly_nudges_task() -> int:
    from .services import weekly_nudges_queue

    return weekly_nudges_queue()


@shared_task
def weekly_nudges_sweep_task() -> int:
    from .services import weekly_nudges_sweep

    return weekly_nudges_sweep()


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=6)
def weekly_nudge_send_task(*, appointment_id: int, week_starts_on: str) -> bool:
    from .services import weekly_nudge_send

    return weekly_nudge_send(
        appointment_id=appointment_id, week_starts_on=date.fromisoformat(week_starts_on)
    )
