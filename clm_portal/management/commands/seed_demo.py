from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trusts.demo import demo_logins, seed_people
from trusts.reference import trusts_load


def training_year_start(today: date) -> date:
    """1 August of the training year (August to July) that `today` falls in."""
    return date(today.year if today.month >= 8 else today.year - 1, 8, 1)


class Command(BaseCommand):
    help = "Load the region's Trusts and demo people (idempotent). Refuses with DEBUG off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-demo-accounts",
            action="store_true",
            help="Create demo accounts even though DJANGO_DEBUG is off (e.g. a training site).",
        )
        parser.add_argument("--quiet-logins", action="store_true", help="Do not list the logins.")

    def handle(self, *args, allow_demo_accounts: bool, quiet_logins: bool, **options):
        trusts, sites = trusts_load()
        self.stdout.write(f"Trusts added: {trusts}; sites added: {sites}.")
        if not settings.DEBUG and not allow_demo_accounts:
            raise CommandError(
                "Refusing to create demo accounts with DJANGO_DEBUG off: they share a known "
                "password. Pass --allow-demo-accounts if this really is a demo site."
            )
        year = training_year_start(date.today())
        people = seed_people(password=settings.DEMO_PASSWORD, training_year_start=year)
        self.stdout.write(f"Demo accounts added: {people}.")
        if not quiet_logins:
            self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
        for login in demo_logins():
            self.stdout.write(f"  {login.role:<28} {login.email}")
        self.stdout.write("  Every Trust's CLM can sign in too: clm.<ods code>@example.com")
