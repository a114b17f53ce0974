"""The demo data: `manage.py seed_demo`, trusts.demo.seed_people and trusts.reference."""

import re
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from trusts.demo import demo_logins, seed_people
from trusts.models import Membership, Role, Site, TraineeProfile, Trust, User
from trusts.reference import trusts_load

YEAR = date(2026, 8, 1)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--only", "RK9", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts sign-ins in the cache, which outlives each test's database.
    cache.clear()


@pytest.mark.django_db
class TestSeedDemoCommand:
    @override_settings(DEBUG=True)
    def test_running_it_twice_adds_no_one_the_second_time(self):
        seed("--quiet-logins")
        users = User.objects.count()
        memberships = Membership.objects.count()
        output = seed("--quiet-logins")
        assert users > 10
        assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
        assert re.search(r"Demo accounts added: 0\b", output)

    @override_settings(DEBUG=True)
    def test_it_seeds_only_the_trusts_asked_for(self):
        seed("--quiet-logins")
        trusts = set(
            Membership.objects.exclude(trust=None).values_list("trust__ods_code", flat=True)
        )
        assert trusts == {"RK9"}

    @override_settings(DEBUG=False)
    def test_it_refuses_with_debug_off(self):
        with pytest.raises(CommandError, match="Refusing to create demo accounts"):
            seed()
        assert not User.objects.exists()

    @override_settings(DEBUG=False)
    def test_it_seeds_with_debug_off_when_demo_accounts_are_allowed(self):
        seed("--allow-demo-accounts", "--quiet-logins")
        assert User.objects.filter(email="clm.rk9@example.com").exists()

    @override_settings(DEBUG=True)
    def test_it_lists_the_demo_logins_and_their_password(self):
        output = seed()
        assert f"password for all: {settings.DEMO_PASSWORD}" in output
        for login in demo_logins():
            assert login.email in output

    @override_settings(DEBUG=True)
    def test_the_demo_logins_sign_in_with_the_demo_password(self):
        seed("--quiet-logins")
        for login in demo_logins():
            client = Client()
            response = client.post(
                reverse("account_login"),
                {"login": login.email, "password": settings.DEMO_PASSWORD},
            )
            assert response.status_code == 302, login.email
            assert response["Location"] == reverse("home")

    @override_settings(DEBUG=True)
    def test_everyone_else_cannot_sign_in(self):
        seed("--quiet-logins")
        named = {login.email for login in demo_logins()} | {"clm.rk9@example.com"}
        others = User.objects.exclude(email__in=named)
        assert others.exists()
        assert not any(u.has_usable_password() for u in others)


@pytest.mark.django_db
class TestSeedPeople:
    @pytest.fixture(autouse=True)
    def trusts(self, db):
        trusts_load()

    def test_every_trust_gets_a_clm_an_administrator_supervisors_and_trainees(self):
        seed_people(password="x-demo-password-1", training_year_start=YEAR, only=["RJ8", "RTQ"])
        for ods in ("RJ8", "RTQ"):
            roles = set(
                Membership.objects.filter(trust__ods_code=ods).values_list("role", flat=True)
            )
            assert roles == {Role.CLM, Role.TRUST_ADMIN, Role.SUPERVISOR, Role.TRAINEE}

    def test_each_trainee_has_a_supervisor_in_their_own_trust(self):
        seed_people(password="x-demo-password-1", training_year_start=YEAR, only=["RJ8"])
        for profile in TraineeProfile.objects.select_related("educational_supervisor"):
            placement = profile.user.memberships.get(role=Role.TRAINEE)
            assert profile.educational_supervisor.memberships.filter(
                role=Role.SUPERVISOR, trust=placement.trust
            ).exists()

    def test_placements_fall_within_the_training_year(self):
        seed_people(password="x-demo-password-1", training_year_start=YEAR, only=["RJ8"])
        for placement in Membership.objects.filter(role=Role.TRAINEE):
            assert YEAR <= placement.starts_on < placement.ends_on == date(2027, 7, 31)

    def test_it_is_the_same_people_every_time(self):
        class Undo(Exception):
            pass

        with pytest.raises(Undo), transaction.atomic():
            seed_people(password="x-demo-password-1", training_year_start=YEAR, only=["RJ8"])
            first = sorted(User.objects.values_list("email", "name"))
            raise Undo
        assert not User.objects.exists()
        seed_people(password="x-demo-password-1", training_year_start=YEAR, only=["RJ8"])
        assert sorted(User.objects.values_list("email", "name")) == first

    def test_a_trust_added_later_is_filled_in_on_the_next_run(self):
        seed_people(password="x-demo-password-1", training_year_start=YEAR, only=["RJ8"])
        added = seed_people(
            password="x-demo-password-1", training_year_start=YEAR, only=["RJ8", "RTQ"]
        )
        assert added > 0
        assert Membership.objects.filter(trust__ods_code="RTQ").exists()

    def test_gmc_numbers_are_unique(self):
        seed_people(password="x-demo-password-1", training_year_start=YEAR, only=["RJ8", "RTQ"])
        numbers = list(TraineeProfile.objects.values_list("gmc_number", flat=True))
        assert len(numbers) == len(set(numbers))


@pytest.mark.django_db
class TestTrustsLoad:
    def test_it_loads_the_regions_trusts_and_sites(self):
        trusts, sites = trusts_load()
        assert trusts == Trust.objects.count() > 10
        assert sites == Site.objects.count() > 0
        assert Trust.objects.get(ods_code="RK9").region.code == "SW"

    def test_running_it_again_adds_nothing_and_keeps_edits(self):
        trusts_load()
        Trust.objects.filter(ods_code="RK9").update(name="Renamed Trust")
        assert trusts_load() == (0, 0)
        assert Trust.objects.get(ods_code="RK9").name == "Renamed Trust"
