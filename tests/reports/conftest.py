"""Shared set-up for the reports: last training year, with the CLM appointed all through it
and the year-end window open."""

from datetime import date

import pytest
from django.utils import timezone

from mentors.models import Responsibility, training_year_start
from reports.models import ReportWindow
from tests.conftest import report_files_storage  # noqa: F401

from ..factories import appointment_of


@pytest.fixture
def last_year() -> int:
    return training_year_start(timezone.localdate()).year - 1


@pytest.fixture
def cycle(world, last_year):
    """The CLM's appointment covering last year, and its reports' window open since June."""
    appointment = appointment_of(world.clm, world.trust, starts_on=date(last_year, 8, 1))
    ReportWindow.objects.create(
        year=last_year, opens_on=date(last_year + 1, 6, 1), due_on=date(last_year + 1, 7, 31)
    )
    return appointment


def every_section(**words) -> dict:
    """Narratives for all nine responsibilities: the given ones, "nothing" for the rest."""
    return {
        code: {"text": words.get(code, ""), "nothing": code not in words}
        for code in Responsibility.values
    }
