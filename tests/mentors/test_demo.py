"""The demo CLM activity: a year and a bit of varied logging, safe to run twice."""

from datetime import date

import pytest
from django.db.models import Avg, Max, Min

from mentors.demo import seed_activity
from mentors.models import Activity, Appointment, CaseStudy, NetworkDay, TrainingYear
from trusts.demo import seed_people
from trusts.reference import trusts_load

TODAY = date(2026, 3, 16)  # in the 2025/26 training year
ONLY = ["RK9", "RJ8"]


@pytest.fixture
def seeded(db) -> int:
    trusts_load()
    seed_people(password="x", training_year_start=date(2025, 8, 1), only=ONLY)
    return seed_activity(today=TODAY, only=ONLY)


def average_reached(ods: str) -> float:
    return Activity.objects.filter(trust__ods_code=ods).aggregate(a=Avg("trainees_reached"))["a"]


@pytest.mark.django_db
class TestSeedActivity:
    def test_it_logs_activity_in_each_trust(self, seeded):
        counts = {ods: Activity.objects.filter(trust__ods_code=ods).count() for ods in ONLY}
        assert all(n > 50 for n in counts.values()), counts
        assert seeded == sum(counts.values())

    def test_it_covers_last_training_year_and_this_one_to_today(self, seeded):
        span = Activity.objects.aggregate(first=Min("date"), last=Max("date"))
        assert date(2024, 8, 1) <= span["first"] < date(2024, 9, 30)
        assert date(2026, 2, 16) <= span["last"] <= TODAY

    def test_it_logs_only_within_the_clms_appointment(self, seeded):
        for activity in Activity.objects.select_related("appointment")[:500]:
            assert activity.appointment.covers(activity.date)

    def test_it_logs_against_every_responsibility_somewhere(self, seeded):
        assert Activity.objects.values("responsibility").distinct().count() == 9

    def test_running_it_again_adds_nothing(self, seeded):
        before = Activity.objects.count()
        assert seed_activity(today=TODAY, only=ONLY) == 0
        assert Activity.objects.count() == before
        assert Appointment.objects.count() == 2
        assert NetworkDay.objects.count() == 4
        assert CaseStudy.objects.count() == 2

    def test_it_closes_last_training_year(self, seeded):
        assert TrainingYear.objects.get(starts_on=date(2024, 8, 1)).is_closed
        assert not TrainingYear.objects.filter(starts_on=date(2025, 8, 1), closed_at__isnull=False)

    def test_the_few_are_reached_one_by_one_and_the_many_in_groups(self, seeded):
        # RJ8, a small mental health Trust, works with individuals; RK9 through events.
        assert average_reached("RJ8") * 5 < average_reached("RK9")

    def test_clms_of_the_few_name_the_trainees_they_work_with(self, seeded):
        named = Activity.objects.filter(trust__ods_code="RJ8", trainees__isnull=False)
        assert named.exists()
        assert not named.exclude(trainees__memberships__trust__ods_code="RJ8").exists()

    def test_it_records_network_days_with_attendance(self, seeded):
        days = NetworkDay.objects.filter(date__lte=TODAY)
        assert days.count() == 4
        assert all(day.attendees.exists() for day in days)
