"""Reads for the activity log: who sees which entries, and time against the allocation."""

from datetime import date
from decimal import Decimal

import pytest

from mentors.selectors import activities_visible_to, time_summary, week_summary

from ..factories import ActivityFactory, appointment_of

D = Decimal
TODAY = date(2025, 3, 12)  # a Wednesday in the 2024/25 training year


def week(summary, monday: date):
    return next(w for w in summary.weeks if w.start == monday)


def month(summary, first: date):
    return next(m for m in summary.months if m.start == first)


def by_code(summary) -> dict:
    return {r.code: r for r in summary.by_responsibility}


@pytest.fixture
def two_hours_from_a_monday(world):
    """2 hours a week from Monday 2 September 2024, with entries in three known weeks."""
    appointment = appointment_of(world.clm, world.trust, starts_on=date(2024, 9, 2))
    for day, code, minutes, reached in [
        (date(2024, 9, 2), "safety_qi", 90, 4),
        (date(2024, 9, 4), "forum", 60, 20),
        (date(2024, 9, 10), "safety_qi", 30, 1),
        (date(2025, 3, 11), "induction", 150, 30),
    ]:
        ActivityFactory(
            appointment=appointment,
            date=day,
            responsibility=code,
            minutes=minutes,
            trainees_reached=reached,
        )
    return appointment


@pytest.mark.django_db
class TestActivitiesVisibleTo:
    @pytest.fixture
    def entries(self, world):
        mine = ActivityFactory(appointment=appointment_of(world.clm, world.trust))
        theirs = ActivityFactory(appointment=appointment_of(world.other_clm, world.other_trust))
        return mine, theirs

    def test_a_clm_sees_their_own_trusts_entries_only(self, world, entries):
        assert list(activities_visible_to(user=world.clm)) == [entries[0]]

    def test_the_trust_administrator_sees_their_trusts_entries(self, world, entries):
        assert list(activities_visible_to(user=world.trust_admin)) == [entries[0]]

    def test_deanery_staff_see_every_trusts_entries(self, world, entries):
        assert set(activities_visible_to(user=world.deanery)) == set(entries)

    @pytest.mark.parametrize("role", ["trainee", "supervisor"])
    def test_trainees_and_supervisors_see_none(self, world, entries, role):
        assert list(activities_visible_to(user=getattr(world, role))) == []


@pytest.mark.django_db
class TestTimeSummaryWeeks:
    def test_it_totals_a_week_against_the_allocation(self, world, two_hours_from_a_monday):
        w = week(time_summary(trust=world.trust, today=TODAY), date(2024, 9, 2))
        assert (w.hours, w.allocation, w.difference, w.over, w.entries) == (
            D("2.5"),
            D("2"),
            D("0.5"),
            True,
            2,
        )

    def test_a_week_under_the_allocation_is_not_over(self, world, two_hours_from_a_monday):
        w = week(time_summary(trust=world.trust, today=TODAY), date(2024, 9, 9))
        assert (w.hours, w.allocation, w.difference, w.over) == (D("0.5"), D("2"), D("-1.5"), False)

    def test_weeks_before_the_appointment_have_no_allocation(self, world, two_hours_from_a_monday):
        w = week(time_summary(trust=world.trust, today=TODAY), date(2024, 8, 26))
        assert (w.hours, w.allocation) == (0, 0)

    def test_it_lists_every_week_of_the_year_so_far_newest_first(
        self, world, two_hours_from_a_monday
    ):
        weeks = time_summary(trust=world.trust, today=TODAY).weeks
        # 1 August 2024 was a Thursday: its week began on Monday 29 July.
        assert (weeks[0].start, weeks[-1].start, len(weeks)) == (
            date(2025, 3, 10),
            date(2024, 7, 29),
            33,
        )

    def test_the_first_week_counts_only_the_days_in_the_training_year(self, world):
        appointment_of(world.clm, world.trust, starts_on=date(2024, 7, 1))
        w = time_summary(trust=world.trust, today=TODAY).weeks[-1]
        assert w.allocation == D("1.14")  # Thursday 1 to Sunday 4 August: 4/7 of 2 hours

    def test_it_keeps_running_totals_from_the_start_of_the_year(
        self, world, two_hours_from_a_monday
    ):
        w = week(time_summary(trust=world.trust, today=TODAY), date(2024, 9, 9))
        assert (w.hours_to_date, w.allocation_to_date) == (D("3"), D("4"))

    def test_this_week_is_the_week_of_today(self, world, two_hours_from_a_monday):
        this_week = time_summary(trust=world.trust, today=TODAY).this_week
        assert (this_week.start, this_week.hours, this_week.allocation) == (
            date(2025, 3, 10),
            D("2.5"),
            D("2"),
        )

    def test_this_week_is_the_whole_week_when_it_began_in_the_last_year(self, world):
        appointment = appointment_of(world.clm, world.trust, starts_on=date(2024, 9, 2))
        ActivityFactory(appointment=appointment, date=date(2025, 7, 29), minutes=60)
        ActivityFactory(appointment=appointment, date=date(2025, 8, 1), minutes=30)
        summary = time_summary(trust=world.trust, today=date(2025, 8, 2))  # a Saturday
        assert (summary.this_week.start, summary.this_week.hours, summary.this_week.allocation) == (
            date(2025, 7, 28),
            D("1.5"),
            D("2"),
        )
        assert summary.year.hours == D("0.5")

    def test_a_partial_first_week_gets_part_of_the_allocation(self, world):
        appointment_of(world.clm, world.trust, starts_on=date(2024, 9, 5))  # a Thursday
        w = week(time_summary(trust=world.trust, today=TODAY), date(2024, 9, 2))
        assert w.allocation == D("1.14")  # 4 of 7 days of 2 hours

    def test_it_uses_the_appointments_hours_per_week(self, world):
        appointment_of(world.clm, world.trust, starts_on=date(2024, 9, 2), hours_per_week=D("3.5"))
        w = week(time_summary(trust=world.trust, today=TODAY), date(2024, 9, 9))
        assert w.allocation == D("3.5")

    def test_it_leaves_out_other_trusts(self, world, two_hours_from_a_monday):
        other = appointment_of(world.other_clm, world.other_trust, starts_on=date(2024, 9, 2))
        ActivityFactory(appointment=other, date=date(2024, 9, 10), minutes=600)
        w = week(time_summary(trust=world.trust, today=TODAY), date(2024, 9, 9))
        assert w.hours == D("0.5")


@pytest.mark.django_db
class TestTimeSummaryMonths:
    def test_it_totals_each_month_against_the_days_allocation(self, world, two_hours_from_a_monday):
        m = month(time_summary(trust=world.trust, today=TODAY), date(2024, 9, 1))
        # 2 to 30 September: 29 days of 2 hours a week.
        assert (m.label, m.hours, m.allocation, m.entries) == (
            "September 2024",
            D("3"),
            D("8.29"),
            3,
        )

    def test_the_current_month_runs_to_the_end_of_this_week(self, world, two_hours_from_a_monday):
        m = month(time_summary(trust=world.trust, today=TODAY), date(2025, 3, 1))
        # Like the weekly table, whose last row is this whole week: 16/7 × 2.
        assert (m.end, m.hours, m.allocation) == (date(2025, 3, 16), D("2.5"), D("4.57"))

    def test_it_lists_the_months_of_the_year_so_far_newest_first(
        self, world, two_hours_from_a_monday
    ):
        months = time_summary(trust=world.trust, today=TODAY).months
        assert [m.label for m in months][:2] == ["March 2025", "February 2025"]
        assert months[-1].label == "August 2024"
        assert len(months) == 8


@pytest.mark.django_db
class TestTimeSummaryYear:
    def test_it_totals_the_year_to_the_end_of_this_week(self, world, two_hours_from_a_monday):
        year = time_summary(trust=world.trust, today=TODAY).year
        # 196 days from 2 September 2024 to Sunday 16 March 2025, at 2 hours a week.
        assert (year.label, year.hours, year.allocation, year.entries) == (
            "2024/25",
            D("5.5"),
            D("56.00"),
            4,
        )

    def test_a_whole_year_is_allocated_days_over_7_times_hours_per_week(self, world):
        appointment_of(world.clm, world.trust, starts_on=date(2024, 8, 1))
        year = time_summary(
            trust=world.trust, today=date(2025, 9, 1), year_start=date(2024, 8, 1)
        ).year
        assert (year.end, year.allocation) == (date(2025, 7, 31), D("104.29"))  # 365/7 × 2

    def test_it_leaves_out_entries_of_other_years(self, world, two_hours_from_a_monday):
        appointment_of(world.clm, world.trust, starts_on=date(2024, 7, 1))
        ActivityFactory(appointment=two_hours_from_a_monday, date=date(2024, 7, 31), minutes=600)
        assert time_summary(trust=world.trust, today=TODAY).year.hours == D("5.5")

    def test_the_year_total_is_exact_when_weeks_are_in_odd_minutes(self, world):
        appointment = appointment_of(world.clm, world.trust, starts_on=date(2024, 9, 2))
        for day in (date(2024, 9, 2), date(2024, 9, 9), date(2024, 9, 16)):
            ActivityFactory(appointment=appointment, date=day, minutes=20)
        summary = time_summary(trust=world.trust, today=TODAY)
        assert summary.year.hours == D("1")
        assert week(summary, date(2024, 9, 16)).hours_to_date == D("1")

    def test_it_shows_a_past_year_when_asked(self, world, two_hours_from_a_monday):
        year = time_summary(
            trust=world.trust, today=date(2025, 11, 5), year_start=date(2024, 8, 1)
        ).year
        assert (year.label, year.hours) == ("2024/25", D("5.5"))

    def test_this_week_is_still_today_when_showing_a_past_year(
        self, world, two_hours_from_a_monday
    ):
        ActivityFactory(appointment=two_hours_from_a_monday, date=date(2025, 11, 4), minutes=45)
        summary = time_summary(
            trust=world.trust, today=date(2025, 11, 5), year_start=date(2024, 8, 1)
        )
        assert (summary.this_week.start, summary.this_week.hours) == (date(2025, 11, 3), D("0.75"))


@pytest.mark.django_db
class TestTimeSummaryAfterAnAppointmentEnds:
    @pytest.fixture
    def ended_at_new_year(self, world):
        return appointment_of(
            world.clm, world.trust, starts_on=date(2024, 9, 2), ends_on=date(2024, 12, 31)
        )

    def test_the_last_week_is_allocated_up_to_the_last_day(self, world, ended_at_new_year):
        w = week(time_summary(trust=world.trust, today=TODAY), date(2024, 12, 30))
        assert w.allocation == D("0.57")  # Monday and Tuesday

    def test_the_vacancy_afterwards_has_no_allocation(self, world, ended_at_new_year):
        summary = time_summary(trust=world.trust, today=TODAY)
        assert week(summary, date(2025, 1, 6)).allocation == 0
        assert month(summary, date(2025, 2, 1)).allocation == 0
        assert summary.this_week.allocation == 0

    def test_the_year_is_allocated_only_for_the_appointment(self, world, ended_at_new_year):
        # 2 September to 31 December 2024: 121 days.
        assert time_summary(trust=world.trust, today=TODAY).year.allocation == D("34.57")

    def test_a_successor_brings_the_allocation_back(self, world, ended_at_new_year):
        appointment_of(world.supervisor, world.trust, starts_on=date(2025, 2, 3))
        w = week(time_summary(trust=world.trust, today=TODAY), date(2025, 2, 3))
        assert w.allocation == D("2")


@pytest.mark.django_db
class TestTimeSummaryByResponsibility:
    def test_it_totals_hours_trainees_reached_and_entries(self, world, two_hours_from_a_monday):
        totals = by_code(time_summary(trust=world.trust, today=TODAY))
        assert [
            (totals[c].hours, totals[c].trainees_reached, totals[c].entries)
            for c in ("safety_qi", "forum", "induction")
        ] == [(D("2"), 5, 2), (D("1"), 20, 1), (D("2.5"), 30, 1)]

    def test_it_lists_all_nine_responsibilities_even_without_entries(
        self, world, two_hours_from_a_monday
    ):
        summary = time_summary(trust=world.trust, today=TODAY)
        assert len(summary.by_responsibility) == 9
        assert (by_code(summary)["network"].hours, by_code(summary)["network"].entries) == (0, 0)

    def test_it_runs_four_queries_whatever_the_size_of_the_log(
        self, world, two_hours_from_a_monday, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(4):
            time_summary(trust=world.trust, today=TODAY)


@pytest.mark.django_db
class TestWeekSummary:
    def test_it_totals_the_week_of_today(self, world, two_hours_from_a_monday):
        w = week_summary(trust=world.trust, today=date(2024, 9, 8))  # a Sunday
        assert (w.start, w.end, w.hours, w.allocation, w.entries, w.over) == (
            date(2024, 9, 2),
            date(2024, 9, 8),
            D("2.5"),
            D("2"),
            2,
            True,
        )

    def test_a_week_without_entries_is_zero_hours(self, world, two_hours_from_a_monday):
        w = week_summary(trust=world.trust, today=date(2024, 9, 18))
        assert (w.hours, w.allocation, w.difference, w.entries) == (0, D("2"), D("-2"), 0)

    def test_a_partial_first_week(self, world):
        appointment_of(world.clm, world.trust, starts_on=date(2024, 9, 6))  # a Friday
        assert week_summary(trust=world.trust, today=date(2024, 9, 6)).allocation == D("0.86")
