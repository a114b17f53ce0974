"""Writes for the CLM activity log and training years, against the real database."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mentors.forms import ActivityForm
from mentors.models import Activity, TrainingYear
from mentors.services import (
    activity_delete,
    activity_update,
    training_year_close,
    training_year_reopen,
)
from trusts.models import Role

from ..factories import person
from .conftest import close_year, entry_fields, log


def errors_of(caught) -> dict[str, list[str]]:
    return caught.value.message_dict


@pytest.mark.django_db
class TestActivityCreate:
    def test_it_logs_the_entry_against_the_clms_appointment(self, world, appointment):
        activity = log(world, minutes=90)
        assert (activity.trust, activity.logged_by, activity.appointment) == (
            world.trust,
            world.clm,
            appointment,
        )
        assert activity.hours == 1.5

    def test_it_keeps_the_optional_details(self, world, appointment):
        from mentors.models import GPCDomain

        activity = log(
            world,
            others_engaged=["supervisors", "qi_team"],
            gpc_domains=list(GPCDomain.objects.filter(number__in=[5, 6])),
        )
        activity.refresh_from_db()
        assert activity.others_engaged == ["supervisors", "qi_team"]
        assert sorted(d.number for d in activity.gpc_domains.all()) == [5, 6]

    @pytest.mark.parametrize("minutes", [0, -30, 24 * 60 + 1])
    def test_it_refuses_a_time_that_is_not_more_than_0_and_at_most_24_hours(
        self, world, appointment, minutes
    ):
        with pytest.raises(ValidationError) as caught:
            log(world, minutes=minutes)
        assert "minutes" in errors_of(caught)
        assert not Activity.objects.exists()

    def test_it_accepts_exactly_24_hours(self, world, appointment):
        assert log(world, minutes=24 * 60).hours == 24

    def test_it_refuses_a_date_before_the_appointment_started(self, world, appointment):
        with pytest.raises(ValidationError) as caught:
            log(world, date=appointment.starts_on - timedelta(days=1))
        assert errors_of(caught)["date"] == [
            "The date must be within your CLM appointment. "
            "Your appointment started on 5 August 2024."
        ]

    def test_it_refuses_a_date_after_the_appointment_ended(self, world, appointment):
        appointment.ends_on = date(2024, 12, 31)
        appointment.save()
        with pytest.raises(ValidationError) as caught:
            log(world, date=date(2025, 1, 2))
        assert "date" in errors_of(caught)

    def test_it_refuses_a_future_date(self, world, appointment):
        with pytest.raises(ValidationError) as caught:
            log(world, date=timezone.localdate() + timedelta(days=1))
        assert errors_of(caught)["date"] == ["The date cannot be in the future."]
        assert not Activity.objects.exists()

    def test_it_accepts_today(self, world, appointment):
        assert log(world, date=timezone.localdate()).date == timezone.localdate()

    def test_it_requires_a_responsibility(self, world, appointment):
        with pytest.raises(ValidationError) as caught:
            log(world, responsibility="")
        assert "responsibility" in errors_of(caught)

    def test_it_refuses_an_unknown_responsibility(self, world, appointment):
        with pytest.raises(ValidationError) as caught:
            log(world, responsibility="golf")
        assert "responsibility" in errors_of(caught)

    def test_it_refuses_a_date_in_a_closed_training_year_naming_the_year(self, world, appointment):
        close_year(date(2024, 8, 1))
        with pytest.raises(ValidationError) as caught:
            log(world, date=date(2025, 7, 31))
        assert errors_of(caught)["date"] == [
            "The 2024/25 training year is closed: its entries are locked."
        ]

    def test_it_accepts_a_date_in_the_year_after_a_closed_one(self, world, appointment):
        close_year(date(2024, 8, 1))
        assert log(world, date=date(2025, 8, 1)).date == date(2025, 8, 1)

    def test_it_records_named_trainees_of_the_trust(self, world, appointment):
        activity = log(world, trainees=[world.trainee], trainees_reached=0)
        assert list(activity.trainees.all()) == [world.trainee]

    def test_named_trainees_count_as_reached(self, world, appointment):
        second = person(Role.TRAINEE, world.trust)
        activity = log(world, trainees=[world.trainee, second], trainees_reached=1)
        assert activity.trainees_reached == 2

    def test_it_refuses_a_trainee_of_another_trust(self, world, appointment):
        with pytest.raises(ValidationError) as caught:
            log(world, trainees=[world.trainee, world.other_trainee])
        assert errors_of(caught)["trainees"] == ["Choose trainees of your own Trust."]
        assert not Activity.objects.exists()

    def test_it_refuses_someone_of_the_trust_who_is_not_a_trainee(self, world, appointment):
        with pytest.raises(ValidationError) as caught:
            log(world, trainees=[world.supervisor])
        assert "trainees" in errors_of(caught)

    def test_it_refuses_a_clm_logging_for_another_trust(self, world, appointment):
        with pytest.raises(PermissionDenied):
            log(world, trust=world.other_trust)

    def test_it_refuses_the_trust_administrator(self, world, appointment):
        with pytest.raises(PermissionDenied):
            log(world, by=world.trust_admin)


@pytest.mark.django_db
class TestActivityUpdate:
    def test_it_changes_ones_own_entry(self, world, appointment):
        activity = log(world)
        activity_update(
            activity=activity, by=world.clm, **entry_fields(minutes=45, responsibility="forum")
        )
        activity.refresh_from_db()
        assert (activity.minutes, activity.responsibility) == (45, "forum")

    def test_it_refuses_an_entry_in_a_closed_year(self, world, appointment):
        activity = log(world, date=date(2025, 1, 15))
        close_year(date(2024, 8, 1))
        with pytest.raises(ValidationError) as caught:
            activity_update(activity=activity, by=world.clm, **entry_fields(date=date(2025, 9, 1)))
        assert errors_of(caught)["date"] == [
            "The 2024/25 training year is closed: its entries are locked."
        ]
        activity.refresh_from_db()
        assert activity.date == date(2025, 1, 15)

    def test_it_refuses_moving_an_entry_into_a_closed_year(self, world, appointment):
        activity = log(world, date=date(2025, 9, 1))
        close_year(date(2024, 8, 1))
        with pytest.raises(ValidationError) as caught:
            activity_update(activity=activity, by=world.clm, **entry_fields(date=date(2025, 1, 15)))
        assert "2024/25" in errors_of(caught)["date"][0]

    def test_it_refuses_a_future_date(self, world, appointment):
        activity = log(world)
        with pytest.raises(ValidationError) as caught:
            activity_update(
                activity=activity,
                by=world.clm,
                **entry_fields(date=timezone.localdate() + timedelta(days=1)),
            )
        assert "date" in errors_of(caught)

    def test_it_refuses_zero_minutes(self, world, appointment):
        activity = log(world)
        with pytest.raises(ValidationError) as caught:
            activity_update(activity=activity, by=world.clm, **entry_fields(minutes=0))
        assert "minutes" in errors_of(caught)
        activity.refresh_from_db()
        assert activity.minutes == 60

    def test_it_refuses_a_trainee_of_another_trust(self, world, appointment):
        activity = log(world)
        with pytest.raises(ValidationError) as caught:
            activity_update(
                activity=activity, by=world.clm, **entry_fields(trainees=[world.other_trainee])
            )
        assert "trainees" in errors_of(caught)

    def test_it_refuses_another_clms_entry(self, world, appointment):
        activity = log(world)
        second_clm = person(Role.CLM, world.trust)
        with pytest.raises(PermissionDenied):
            activity_update(activity=activity, by=second_clm, **entry_fields(minutes=30))

    def test_it_refuses_the_trust_administrator(self, world, appointment):
        activity = log(world)
        with pytest.raises(PermissionDenied):
            activity_update(activity=activity, by=world.trust_admin, **entry_fields())


@pytest.mark.django_db
class TestActivityDelete:
    def test_it_deletes_ones_own_entry(self, world, appointment):
        activity = log(world)
        activity_delete(activity=activity, by=world.clm)
        assert not Activity.objects.exists()

    def test_it_refuses_an_entry_in_a_closed_year_naming_the_year(self, world, appointment):
        activity = log(world, date=date(2025, 1, 15))
        close_year(date(2024, 8, 1))
        with pytest.raises(ValidationError) as caught:
            activity_delete(activity=activity, by=world.clm)
        assert caught.value.messages == [
            "The 2024/25 training year is closed: its entries are locked."
        ]
        assert Activity.objects.filter(pk=activity.pk).exists()

    def test_it_refuses_the_deanery(self, world, appointment):
        activity = log(world)
        with pytest.raises(PermissionDenied):
            activity_delete(activity=activity, by=world.deanery)


def form(**data) -> ActivityForm:
    values = {
        "date": timezone.localdate().isoformat(),
        "responsibility": "safety_qi",
        "format": "meeting",
        "hours": "1.5",
        "trainees_reached": "3",
    }
    values.update(data)
    return ActivityForm(data=values)


class TestActivityForm:
    def test_it_turns_hours_into_minutes(self):
        f = form(hours="1.25")
        assert f.is_valid(), f.errors
        assert f.service_kwargs()["minutes"] == 75

    @pytest.mark.parametrize(
        "hours, message",
        [
            ("0", "The time spent must be more than 0 hours."),
            ("-1", "The time spent must be more than 0 hours."),
            ("24.5", "The time spent must be 24 hours or less."),
            ("", "Enter the time spent, in hours."),
            ("an hour", "Enter the time spent in hours or minutes, like 1.5, 1:30 or 90 min."),
        ],
    )
    def test_it_refuses_a_time_outside_0_to_24_hours(self, hours, message):
        assert form(hours=hours).errors["hours"] == [message]

    def test_it_accepts_24_hours_once_confirmed(self):
        assert form(hours="24", confirm_hours="on").is_valid()

    def test_it_refuses_a_future_date(self):
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        assert form(date=tomorrow).errors["date"] == ["The date cannot be in the future."]

    def test_it_requires_a_responsibility(self):
        assert form(responsibility="").errors["responsibility"] == [
            "Choose the responsibility this activity was for."
        ]

    def test_an_empty_trainees_reached_means_none(self):
        f = form(trainees_reached="")
        assert f.is_valid(), f.errors
        assert f.service_kwargs()["trainees_reached"] == 0


@pytest.mark.django_db
class TestTrainingYearClose:
    def test_it_closes_an_ended_year(self, world):
        year = training_year_close(by=world.deanery, starts_on=date(2024, 8, 1))
        assert year.is_closed
        assert year.closed_by == world.deanery

    def test_closing_locks_the_years_entries(self, world, appointment):
        activity = log(world, date=date(2025, 3, 3))
        training_year_close(by=world.deanery, starts_on=date(2024, 8, 1))
        with pytest.raises(ValidationError):
            activity_delete(activity=activity, by=world.clm)

    def test_it_refuses_the_current_year(self, world):
        current = date(
            timezone.localdate().year
            if timezone.localdate().month >= 8
            else timezone.localdate().year - 1,
            8,
            1,
        )
        with pytest.raises(ValidationError) as caught:
            training_year_close(by=world.deanery, starts_on=current)
        assert caught.value.messages == [
            "A training year can be closed only after it ends on 31 July."
        ]
        assert not TrainingYear.objects.filter(closed_at__isnull=False).exists()

    def test_it_refuses_a_year_already_closed(self, world):
        close_year(date(2024, 8, 1))
        with pytest.raises(ValidationError) as caught:
            training_year_close(by=world.deanery, starts_on=date(2024, 8, 1))
        assert caught.value.messages == ["The 2024/25 training year is already closed."]

    def test_it_refuses_a_start_other_than_1_august(self, world):
        with pytest.raises(ValidationError):
            training_year_close(by=world.deanery, starts_on=date(2024, 9, 1))

    @pytest.mark.parametrize("role", ["clm", "trust_admin"])
    def test_it_refuses_anyone_but_deanery_staff(self, world, role):
        with pytest.raises(PermissionDenied):
            training_year_close(by=getattr(world, role), starts_on=date(2024, 8, 1))


@pytest.mark.django_db
class TestTrainingYearReopen:
    def test_it_unlocks_the_years_entries(self, world, appointment):
        activity = log(world, date=date(2025, 3, 3))
        year = close_year(date(2024, 8, 1))
        training_year_reopen(by=world.deanery, year=year)
        activity_delete(activity=activity, by=world.clm)
        assert not Activity.objects.exists()

    def test_it_keeps_the_closing_in_the_history(self, world):
        year = training_year_close(by=world.deanery, starts_on=date(2024, 8, 1))
        training_year_reopen(by=world.deanery, year=year)
        closings = [h.closed_by for h in year.history.order_by("history_date")]
        assert closings[-2:] == [world.deanery, None]

    def test_it_refuses_a_clm(self, world):
        year = close_year(date(2024, 8, 1))
        with pytest.raises(PermissionDenied):
            training_year_reopen(by=world.clm, year=year)
