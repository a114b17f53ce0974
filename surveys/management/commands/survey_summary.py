"""python manage.py survey_summary ROUND_SLUG --json: a round's published figures as one JSON
object (the shape is in the README), with suppression applied."""

import json

from django.core.management.base import BaseCommand, CommandError

from surveys.analysis import Results
from surveys.models import Round


class Command(BaseCommand):
    help = "Print a round's published figures (suppressed where small) as one JSON object."

    def add_arguments(self, parser):
        parser.add_argument("round_slug")
        parser.add_argument("--json", action="store_true", help="JSON (the only format).")

    def handle(self, *args, round_slug, **options):
        round_ = Round.objects.filter(slug=round_slug).first()
        if round_ is None:
            raise CommandError(f"No round '{round_slug}'.")
        if not round_.published_at:
            raise CommandError(
                f"The round '{round_slug}' has no published results yet: they are published "
                "when it closes or when responses are imported."
            )
        self.stdout.write(json.dumps(Results(round_).summary(), indent=None, sort_keys=False))
