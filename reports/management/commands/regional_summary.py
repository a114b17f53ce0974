"""python manage.py regional_summary --year YEAR --json: the region's figures per Trust for a
training year (YEAR is its first calendar year: 2025 means August 2025 to July 2026)."""

import json

from django.core.management.base import BaseCommand, CommandError

from reports.regional import regional_summary


class Command(BaseCommand):
    help = "Print the region's figures per Trust for a training year as one JSON object."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", help="JSON (the only format).")

    def handle(self, *args, year, **options):
        if not 2015 <= year <= 2100:
            raise CommandError("--year is a training year's first calendar year, like 2025.")
        self.stdout.write(json.dumps(regional_summary(year=year)))
