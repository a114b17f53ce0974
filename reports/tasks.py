"""Thin Celery wrappers around the reports' services."""

from celery import shared_task


@shared_task
def regional_snapshot_task() -> int:
    """This training year's regional figures, worked out for the dashboard (hourly)."""
    from django.utils import timezone

    from mentors.models import training_year_start

    from .regional import regional_snapshot

    year = training_year_start(timezone.localdate()).year
    regional_snapshot(year=year, refresh=True)
    return year
