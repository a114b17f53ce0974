from datetime import date
from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task
def weekly_nudges_task() -> int:
    return services.weekly_nudges_queue()


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=6)
def weekly_nudge_send_task(*, appointment_id: int, week_starts_on: str) -> bool:
    return services.weekly_nudge_send(
        appointment_id=appointment_id, week_starts_on=date.fromisoformat(week_starts_on)
    )
