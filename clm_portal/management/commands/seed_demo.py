from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mentors.demo import VACANT, seed_activity
from mentors.models import training_year_start
from opportunities.demo import seed_opportunities
from reports.demo import seed_reports
from surveys.demo import seed_surveys
from trusts.demo import demo_logins, seed_people
from trusts.reference import trusts_load


class Command(BaseCommand):
    help = "Load the region's Trusts and demo people (idempotent). Refuses with DEBUG off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-demo-accounts",
            action="store_true",
            help="Create demo accounts even though DJANGO_DEBUG is off (e.g. a training site).",
        )
        parser.add_argument("--quiet-logins", action="store_true", help="Do not list the logins.")
        parser.add_argument(
            "--only",
            metavar="ODS,ODS",
            type=lambda value: [code.strip().upper() for code in value.split(",") if code.strip()],
            help="Seed people in these Trusts only (e.g. RK9), for quick test databases.",
        )

    def handle(
        self,
        *args,
        allow_demo_accounts: bool,
        quiet_logins: bool,
        only: list[str] | None = None,
        **options,
    ):
        trusts, sites = trusts_load()
        self.stdout.write(f"Trusts added: {trusts}; sites added: {sites}.")
        if not settings.DEBUG and not allow_demo_accounts:
            raise CommandError(
                "Refusing to create demo accounts with DJANGO_DEBUG off: they share a known "
                "password. Pass --allow-demo-accounts if this really is a demo site."
            )
        today = timezone.localdate()
        people = seed_people(
            password=settings.DEMO_PASSWORD,
            training_year_start=training_year_start(today),
            only=only,
        )
        activity = seed_activity(today=today, only=only)
        opportunities = seed_opportunities(today=today, only=only)
        responses = seed_surveys(today=today, only=only)
        reports = seed_reports(today=today, only=only)
        self.stdout.write(
            f"Demo accounts added: {people}; CLM activity entries added: {activity}; "
            # Survey responses stay last: tests/surveys/test_demo.py reads "…added: 0."
            f"opportunities added: {opportunities}; year-end reports added: {reports}; "
            f"survey responses added: {responses}."
        )
        if not quiet_logins:
            self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
        for login in demo_logins():
            self.stdout.write(f"  {login.role:<28} {login.email}")
        self.stdout.write(
            "  Every Trust's CLM can sign in too: clm.<ods code>@example.com "
            f"({VACANT}'s post is vacant: its former CLM has no role now)."
        )
