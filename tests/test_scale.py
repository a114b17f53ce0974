"""`manage.py seed_scale` at a tiny size: consistent data, the benchmark's logins, and a refusal
to touch a database that holds anything else (COPY on PostgreSQL, bulk_create on SQLite)."""

from datetime import date

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import F, Q

from mentors.models import Activity, Appointment, TrainingYear
from trusts.models import Membership, Role, TraineeProfile, Trust, User

from .factories import TrustFactory, UserFactory

TINY = {"trainees": 200, "trusts": 4, "years": 2, "no_progress": True}


@pytest.fixture
def seeded(db):
    call_command("seed_scale", **TINY)


class TestTheTinySeed:
    def test_it_makes_about_the_people_and_trusts_asked_for(self, seeded):
        assert Trust.objects.count() == 4
        assert Trust.objects.filter(ods_code="RK9").exists()
        trainees = Membership.objects.filter(role=Role.TRAINEE).count()
        assert 180 <= trainees <= 240
        assert TraineeProfile.objects.count() == trainees
        supervisors = Membership.objects.filter(role=Role.SUPERVISOR).count()
        assert 0.2 * trainees <= supervisors <= 0.4 * trainees

    def test_it_logs_about_four_entries_a_trainee_a_year(self, seeded):
        entries = Activity.objects.count()
        # Two training years, the first begun up to 90 days late, the second partly over.
        assert 200 <= entries <= 4 * 200 * 2 * 1.2
        assert Activity.gpc_domains.through.objects.exists()
        assert Activity.trainees.through.objects.exists()

    def test_every_activity_is_inside_an_appointment_of_its_trust(self, seeded):
        assert Activity.objects.exists()
        assert not Activity.objects.exclude(appointment__trust=F("trust")).exists()
        assert not Activity.objects.exclude(logged_by=F("appointment__user")).exists()
        assert not Activity.objects.filter(date__lt=F("appointment__starts_on")).exists()
        assert not Activity.objects.filter(
            appointment__ends_on__isnull=False, date__gt=F("appointment__ends_on")
        ).exists()

    def test_named_trainees_belong_to_the_activitys_trust(self, seeded):
        links = Activity.trainees.through.objects.all()
        assert links.exists()
        assert not links.exclude(
            user__memberships__role=Role.TRAINEE,
            user__memberships__trust=F("activity__trust"),
        ).exists()

    def test_every_placement_is_inside_its_trust_and_the_training_year(self, seeded):
        placements = Membership.objects.filter(role=Role.TRAINEE)
        assert not placements.filter(Q(trust__isnull=True) | Q(starts_on__isnull=True)).exists()
        assert not placements.filter(ends_on__lt=F("starts_on")).exists()
        this_year = TrainingYear.objects.order_by("-starts_on").first()
        assert not placements.filter(starts_on__lt=this_year.starts_on).exists()
        assert not placements.exclude(ends_on=this_year.ends_on).exists()
        # Each trainee's educational supervisor supervises in the same Trust.
        for profile in TraineeProfile.objects.select_related("user")[:50]:
            trust_id = profile.user.memberships.get(role=Role.TRAINEE).trust_id
            assert Membership.objects.filter(
                user=profile.educational_supervisor_id, role=Role.SUPERVISOR, trust_id=trust_id
            ).exists()

    def test_every_trust_has_a_clm_appointment_and_the_home_trust_a_current_one(self, seeded):
        for trust in Trust.objects.all():
            assert Appointment.objects.filter(trust=trust).exists()
        rk9 = Appointment.objects.filter(trust__ods_code="RK9").current(date.today())
        assert rk9.get().user.email == "clm.rk9@example.com"
        assert Membership.objects.filter(
            user__email="clm.rk9@example.com", role=Role.CLM, trust__ods_code="RK9"
        ).exists()

    def test_past_training_years_are_closed(self, seeded):
        years = list(TrainingYear.objects.order_by("starts_on"))
        assert len(years) >= 2
        assert all(y.is_closed for y in years[:-1])
        assert not years[-1].is_closed

    def test_the_benchmarks_logins_share_the_demo_password_and_others_cannot_sign_in(self, seeded):
        for email in (
            "clm.rk9@example.com",
            "trainee.rk9@example.com",
            "supervisor.rk9@example.com",
            "admin.rk9@example.com",
            "deanery@example.com",
        ):
            assert User.objects.get(email=email).check_password(settings.DEMO_PASSWORD), email
        assert not User.objects.get(email="trainee1.rk9@example.com").has_usable_password()

    def test_new_rows_after_the_seed_get_fresh_ids(self, seeded):
        user = UserFactory()
        assert user.pk > User.objects.exclude(pk=user.pk).order_by("-pk").first().pk


class TestTheRefusal:
    def test_it_refuses_a_database_with_a_trust_it_did_not_create(self, db):
        TrustFactory(ods_code="ABC")
        with pytest.raises(CommandError, match="Refusing to seed"):
            call_command("seed_scale", **TINY)
        assert Trust.objects.count() == 1
        assert not Activity.objects.exists()

    def test_it_refuses_a_database_with_a_person_it_did_not_create(self, db):
        UserFactory(email="someone@nhs.net")
        with pytest.raises(CommandError, match="Refusing to seed"):
            call_command("seed_scale", **TINY)
        assert User.objects.count() == 1

    def test_it_refuses_to_run_twice(self, seeded):
        people = User.objects.count()
        with pytest.raises(CommandError, match="already holds"):
            call_command("seed_scale", **TINY)
        assert User.objects.count() == people
