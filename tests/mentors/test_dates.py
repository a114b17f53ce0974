"""Date logic under a controlled clock: training years turn on 1 August, weeks start on
Monday, no entry is in the future, and a year closes only once it has ended on 31 July."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentors.forms import ActivityForm
from mentors.models import training_year_start, week_start
from mentors.selectors import time_summary, week_summary
from mentors.services import training_year_close

from ..conftest import client_for
from ..factories import appointment_of
from .conftest import log


def at(day: date, hour: int = 12):
    """The clock stopped at noon UTC on `day` (13:00 in summer, London time)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=UTC), tick=False)


class TestTrainingYears:
    @pytest.mark.parametrize(
        "day, starts_on",
        [
            (date(2025, 7, 31), date(2024, 8, 1)),
            (date(2025, 8, 1), date(2025, 8, 1)),
            (date(2026, 1, 1), date(2025, 8, 1)),
            (date(2024, 2, 29), date(2023, 8, 1)),
        ],
    )
    def test_a_year_starts_on_1_august(self, day, starts_on):
        assert training_year_start(day) == starts_on

    def test_today_turns_into_the_new_year_at_midnight_on_1_august(self):
        # 23:30 UTC on 31 July is already 1 August in London (BST).
        with time_machine.travel(datetime(2025, 7, 31, 23, 30, tzinfo=UTC), tick=False):
            assert training_year_start(timezone.localdate()) == date(2025, 8, 1)


class TestWeeks:
    @pytest.mark.parametrize("day", [date(2025, 3, 10), date(2025, 3, 12), date(2025, 3, 16)])
    def test_a_week_runs_from_monday(self, day):
        assert week_start(day) == date(2025, 3, 10)

    @pytest.mark.django_db
    def test_this_week_on_a_sunday_is_the_week_that_began_on_monday(self, world):
        appointment_of(world.clm, world.trust, starts_on=date(2025, 1, 6))
        with at(date(2025, 3, 16)):
            week = week_summary(trust=world.trust, today=timezone.localdate())
        assert (week.start, week.end) == (date(2025, 3, 10), date(2025, 3, 16))

    @pytest.mark.django_db
    def test_the_time_page_moves_to_the_next_week_on_monday(self, world):
        appointment_of(world.clm, world.trust, starts_on=date(2025, 1, 6))
        with at(date(2025, 3, 17)):
            response = client_for(world.clm).get(reverse("mentors:time"))
        assert response.context["summary"].this_week.start == date(2025, 3, 17)


@pytest.mark.django_db
class TestNoFutureDates:
    def form(self, day: date) -> ActivityForm:
        return ActivityForm(
            data={
                "date": day.isoformat(),
                "responsibility": "forum",
                "format": "forum",
                "hours": "1",
            }
        )

    def test_today_is_accepted(self):
        with at(date(2025, 3, 12)):
            assert self.form(date(2025, 3, 12)).is_valid()

    def test_tomorrow_is_refused(self):
        with at(date(2025, 3, 12)):
            assert self.form(date(2025, 3, 13)).errors["date"] == [
                "The date cannot be in the future."
            ]

    def test_the_service_refuses_tomorrow_too(self, world):
        appointment_of(world.clm, world.trust, starts_on=date(2025, 1, 6))
        with at(date(2025, 3, 12)), pytest.raises(ValidationError) as caught:
            log(world, date=date(2025, 3, 13))
        assert caught.value.message_dict["date"] == ["The date cannot be in the future."]


@pytest.mark.django_db
class TestClosingAYear:
    def test_not_on_its_last_day(self, world):
        with at(date(2025, 7, 31)), pytest.raises(ValidationError):
            training_year_close(by=world.deanery, starts_on=date(2024, 8, 1))

    def test_from_1_august(self, world):
        with at(date(2025, 8, 1)):
            year = training_year_close(by=world.deanery, starts_on=date(2024, 8, 1))
        assert year.is_closed

    def test_a_closed_year_is_not_to_date(self, world):
        appointment_of(world.clm, world.trust, starts_on=date(2024, 8, 1))
        with at(date(2025, 9, 1)):
            summary = time_summary(
                trust=world.trust, today=timezone.localdate(), year_start=date(2024, 8, 1)
            )
        assert summary.complete
        assert summary.year.end == date(2025, 7, 31)
