"""Time spent as people type it, and a check before saving an entry far above the allocation."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mentors.forms import ActivityForm, HoursField, hours_to_minutes
from mentors.models import Activity

from ..conftest import client_for

LOG_ACTIVITY = reverse("mentors:log_activity")


def minutes(typed: str) -> int:
    return hours_to_minutes(HoursField().clean(typed))


def error(typed: str) -> str:
    form = ActivityForm(data=data(hours=typed))
    form.is_valid()
    return form.errors["hours"][0]


def data(**overrides) -> dict:
    return {
        "date": timezone.localdate().isoformat(),
        "responsibility": "forum",
        "format": "forum",
        "hours": "1.5",
        "trainees_reached": "0",
        **overrides,
    }


class TestHoursField:
    @pytest.mark.parametrize(
        "typed, expected",
        [
            ("1.5", 90),
            ("1,5", 90),  # a decimal comma is never 15 hours
            ("0,25", 15),
            (",5", 30),
            ("1:30", 90),
            ("0:45", 45),
            ("90 min", 90),
            ("90m", 90),
            ("45 minutes", 45),
            ("20 mins", 20),
            ("1h30", 90),
            ("1h 30m", 90),
            ("1 hour 30 minutes", 90),
            ("2h", 120),
            ("1.5 hours", 90),
            (" 2 ", 120),
        ],
    )
    def test_it_accepts_hours_as_people_type_them(self, typed, expected):
        assert minutes(typed) == expected

    def test_a_decimal_comma_is_the_same_as_a_point(self):
        assert HoursField().clean("1,5") == Decimal("1.5")

    @pytest.mark.parametrize("typed", ["an hour", "1:75", "1.5.2", "1,5,0", "abc min", "1;30"])
    def test_anything_else_gets_a_clear_message(self, typed):
        assert error(typed) == "Enter the time spent in hours or minutes, like 1.5, 1:30 or 90 min."

    def test_more_than_24_hours_of_minutes_is_refused(self):
        assert error("1500 min") == "The time spent must be 24 hours or less."

    def test_no_minutes_is_refused(self):
        assert error("0:00") == "The time spent must be more than 0 hours."

    def test_a_fraction_of_a_minute_in_decimals_is_refused(self):
        assert error("1.257") == "Enter the time to the nearest minute, like 1.25 or 1:15."


class TestLargeEntriesNeedConfirming:
    def test_eight_hours_needs_no_confirmation(self):
        assert ActivityForm(data=data(hours="8")).is_valid()

    def test_more_than_eight_hours_is_sent_back_with_a_warning(self):
        form = ActivityForm(data=data(hours="15"))
        assert not form.is_valid()
        assert form.needs_hours_confirmation
        assert "15 hours is far above the weekly allocation" in form.errors["hours"][0]
        assert form.fields["confirm_hours"].label == "Yes, 15 hours is right"

    def test_it_is_valid_once_confirmed(self):
        assert ActivityForm(data=data(hours="15", confirm_hours="on")).is_valid()


@pytest.mark.django_db
class TestLoggingLargeEntries:
    def test_it_saves_nothing_until_confirmed(self, world, appointment):
        response = client_for(world.clm).post(LOG_ACTIVITY, data(hours="15"))
        html = response.content.decode()
        assert "Yes, 15 hours is right" in html
        assert "nhsuk-error-summary" in html
        assert not Activity.objects.exists()

    def test_it_saves_once_confirmed(self, world, appointment):
        client_for(world.clm).post(LOG_ACTIVITY, data(hours="15", confirm_hours="on"))
        assert Activity.objects.get().minutes == 900

    def test_the_quick_form_asks_on_the_home_page(self, world, appointment):
        response = client_for(world.clm).post(
            LOG_ACTIVITY, {**data(hours="1,5 "), "hours": "10", "quick": "1", "next": "/"}
        )
        assert [t.name for t in response.templates][0] == "home/clm.html"
        assert "Yes, 10 hours is right" in response.content.decode()
        assert not Activity.objects.exists()

    def test_a_decimal_comma_is_saved_as_one_and_a_half_hours(self, world, appointment):
        client_for(world.clm).post(LOG_ACTIVITY, data(hours="1,5"))
        assert Activity.objects.get().minutes == 90
