"""python manage.py import_survey_responses ROUND_SLUG FILE.csv [--create-round "NAME"]"""

from django.core.management.base import BaseCommand, CommandError

from clm_portal.csvimport import CSVImportError
from surveys.models import Round
from surveys.services import responses_import, round_create_from_file

# The command reads a local file, so it may hold a whole region's round; the browser upload
# keeps the usual 5,000-row bound.
COMMAND_MAX_ROWS = 100_000


class Command(BaseCommand):
    help = (
        "Import survey responses (the CSV format in DOMAIN.md and the README) into a round, "
        "all or nothing. With --create-round the round is made first, for the current "
        "training year and the Trusts in the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("round_slug")
        parser.add_argument("file")
        parser.add_argument("--create-round", metavar="NAME", default=None)

    def handle(self, *args, round_slug, file, create_round, **options):
        try:
            with open(file, "rb") as upload:
                if create_round:
                    if Round.objects.filter(slug=round_slug).exists():
                        raise CommandError(f"A round '{round_slug}' already exists.")
                    round_, count = self._create(round_slug, create_round, upload)
                else:
                    round_ = Round.objects.filter(slug=round_slug).first()
                    if round_ is None:
                        raise CommandError(
                            f"No round '{round_slug}'. Use --create-round \"NAME\" to make it."
                        )
                    count = responses_import(
                        by=None, round_=round_, upload=upload, max_rows=COMMAND_MAX_ROWS
                    )
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except CSVImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            if exc.more:
                self.stderr.write(f"… and {exc.more} more problems.")
            raise CommandError(f"Nothing was imported: {exc.total} problem(s) in {file}.") from exc
        self.stdout.write(
            f"Imported {count} responses into '{round_.slug}'; its results are published."
        )

    def _create(self, slug, name, upload):
        from django.db import transaction

        with transaction.atomic():
            round_, count = round_create_from_file(
                name=name, upload=upload, max_rows=COMMAND_MAX_ROWS
            )
            round_.slug = slug
            round_.full_clean()
            round_.save(update_fields=["slug"])
        return round_, count
