"""Thin Celery wrappers: each task imports its service inside its body (the services import
these tasks to publish them after commit)."""

from smtplib import SMTPException

from celery import shared_task


@shared_task
def fill_free_places_task(*, opportunity_id: int) -> int:
    from .workflow import fill_free_places

    return len(fill_free_places(opportunity_id))


@shared_task
def sweep_offers_task() -> dict:
    from .workflow import expire_offers, fill_free_places, opportunities_to_fill

    expired = expire_offers()
    filled = sum(len(fill_free_places(pk)) for pk in opportunities_to_fill())
    return {"expired": expired, "offered": filled}


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=6)
def notification_email_task(*, notification_id: int) -> bool:
    from .notifications import send_notification_email

    return send_notification_email(notification_id)


@shared_task
def notifications_sweep_task() -> int:
    from .notifications import notifications_sweep

    return notifications_sweep()


@shared_task
def daily_reminders_task() -> dict:
    from .notifications import remind_before_start, remind_undecided

    return {"before_start": remind_before_start(), "undecided": remind_undecided()}


@shared_task
def supervisor_digest_task() -> int:
    from .notifications import supervisor_digests

    return supervisor_digests()


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=6)
def host_link_email_task(*, reflection_id: int) -> bool:
    from .services import host_link_send

    return host_link_send(reflection_id)


@shared_task
def fair_access_snapshot_task() -> str:
    from .fairness import region_snapshot

    return str(region_snapshot(refresh=True))
