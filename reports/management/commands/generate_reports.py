"""python manage.py generate_reports --year YEAR [--trust ODS] [--sync] [--output DIR]

Makes the year-end report files through the same services as the pages: each expected Trust's
report (or only --trust's) and, without --trust, the regional compendium. By default the work
is queued for the Celery worker (and, with --output, the command waits for it); --sync makes
the files in this process. --output DIR also writes <ODS>-<YEAR>.pdf, <ODS>-<YEAR>.xlsx,
region-<YEAR>.pdf and region-<YEAR>.xlsx into DIR. YEAR is the training year's first calendar
year: 2025 means August 2025 to July 2026.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mentors.models import training_year_start
from reports.generation import generation_request, generation_run
from reports.models import Generation
from reports.selectors import expected_trusts
from trusts.models import Trust


class Command(BaseCommand):
    help = "Make the year-end report files (PDF and XLSX) for a training year."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--trust", metavar="ODS", help="Only this Trust's report.")
        parser.add_argument("--sync", action="store_true", help="Make them in this process.")
        parser.add_argument("--output", metavar="DIR", help="Also write the files into DIR.")
        parser.add_argument(
            "--timeout", type=int, default=1800, help="Seconds to wait for the worker."
        )

    def handle(self, *args, year, trust, sync, output, timeout, **options):
        current = training_year_start(timezone.localdate()).year
        if not 2015 <= year <= current:
            raise CommandError(
                f"--year is a training year's first calendar year, 2015 to {current}."
            )
        if trust:
            found = Trust.objects.filter(ods_code=trust.upper()).first()
            if found is None:
                raise CommandError(f"No Trust has the ODS code {trust!r}.")
            trusts, region = [found], False
        else:
            trusts, region = list(expected_trusts(year=year).order_by("ods_code")), True
        out = Path(output) if output else None
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
        targets = [*trusts, *([None] if region else [])]
        generations = [
            generation_request(by=None, year=year, trust=t, check=False, publish=not sync)
            for t in targets
        ]
        if sync:
            for generation in generations:
                generation_run(generation_id=generation.pk, request_id=str(generation.request_id))
        else:
            generations = self._wait(generations, timeout)
        failed = 0
        for generation in generations:
            generation.refresh_from_db()
            if generation.status != Generation.Status.DONE:
                failed += 1
                self.stderr.write(
                    f"{generation.basename}: {generation.get_status_display().lower()}"
                    f"{': ' + generation.message if generation.message else ''}"
                )
                continue
            self.stdout.write(f"{generation.basename}: done in {generation.seconds:.1f} s")
            if out is not None:
                for field, suffix in ((generation.pdf, "pdf"), (generation.xlsx, "xlsx")):
                    with field.open("rb") as source:
                        (out / f"{generation.basename}.{suffix}").write_bytes(source.read())
        if failed:
            raise CommandError(f"{failed} of {len(generations)} could not be made.")

    def _wait(self, generations: list[Generation], timeout: int) -> list[Generation]:
        deadline = time.monotonic() + timeout
        ids = [g.pk for g in generations]
        while time.monotonic() < deadline:
            left = Generation.objects.filter(
                pk__in=ids, status__in=(Generation.Status.QUEUED, Generation.Status.RUNNING)
            ).count()
            if not left:
                break
            time.sleep(1)
        return generations
