"""Shared set-up for the CLM activity log: appointments that started well before the data."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from mentors.models import TrainingYear
from mentors.services import activity_create

from ..factories import appointment_of

# A Monday, the first full week of the 2024/25 training year.
APPOINTED = date(2024, 8, 5)


@pytest.fixture
def appointment(world):
    """The CLM's appointment in RK9 (the CLM role started one today; move it back)."""
    return appointment_of(world.clm, world.trust, starts_on=APPOINTED)


@pytest.fixture
def other_appointment(world):
    return appointment_of(world.other_clm, world.other_trust, starts_on=APPOINTED)


def close_year(starts_on: date, by=None) -> TrainingYear:
    year, _ = TrainingYear.objects.update_or_create(
        starts_on=starts_on, defaults={"closed_at": timezone.now(), "closed_by": by}
    )
    return year


def entry_fields(**overrides) -> dict:
    fields = {
        "date": date(2025, 1, 15),
        "responsibility": "safety_qi",
        "format": "meeting",
        "minutes": 60,
        "trainees_reached": 3,
        "notes": "QI clinic with the Trust QI lead.",
    }
    fields.update(overrides)
    return fields


def log(world, *, by=None, trust=None, **overrides):
    """Log an entry through the service, as the world's CLM unless told otherwise."""
    return activity_create(
        by=by or world.clm, trust=trust or world.trust, **entry_fields(**overrides)
    )


def recent_day(days_ago: int = 0) -> date:
    """A day `days_ago` before today, for the views, which use the real date."""
    return timezone.localdate() - timedelta(days=days_ago)
