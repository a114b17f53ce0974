"""Thin Celery wrappers around the surveys' services."""

from smtplib import SMTPException

from celery import shared_task


@shared_task
def publish_due_rounds_task() -> int:
    from .services import rounds_publish_due

    return rounds_publish_due()


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=6)
def survey_link_email_task(*, email: str, url: str, round_id: int, trust_id: int) -> None:
    """Send one single-use link. The address lives only in this message, never in a table."""
    from clm_portal.emails import send_templated_email
    from trusts.models import Trust

    from .models import Round

    round_ = Round.objects.defer("results").get(pk=round_id)
    trust = Trust.objects.get(pk=trust_id)
    send_templated_email("survey_link", {"round": round_, "trust": trust, "url": url}, to=[email])
