from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=6,
)
def invitation_send_task(*, invitation_id: int) -> bool:
    return services.invitation_send(invitation_id=invitation_id)


@shared_task
def invitations_send_unsent_task() -> int:
    return services.invitations_requeue_unsent()
