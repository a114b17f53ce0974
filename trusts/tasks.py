"""Thin Celery wrappers: each imports its service inside the body (HackSoft), so services can
import these tasks at module level to publish them."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=6,
)
def invitation_send_task(*, invitation_id: int) -> bool:
    from trusts.services import invitation_send, invitation_send_failed

    try:
        return invitation_send(invitation_id=invitation_id)
    except (SMTPException, OSError) as error:
        # Recorded before Celery retries, so the invitations table shows the failure.
        invitation_send_failed(invitation_id=invitation_id, error=error)
        raise


@shared_task
def invitations_send_unsent_task() -> int:
    from trusts.services import invitations_requeue_unsent

    return invitations_requeue_unsent()
