"""National-scale data for the benchmark: `manage.py seed_scale` (see bench/README.md).

Runs a list of stages (STAGES below; later apps append theirs) inside one transaction, so a
failed run leaves the database as it was. Refuses a database that holds any people, regions or
Trusts: it only ever fills an empty one (e.g. `createdb clm_bench && migrate`).
"""

from __future__ import annotations

import resource
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from mentors import scale as mentors_scale
from opportunities import scale as opportunities_scale
from reports import scale as reports_scale
from surveys import scale as surveys_scale
from trusts import scale as trusts_scale

# (name, function(ctx)) in order: each app adds its own; the reports' come last, since they
# read everything before them.
STAGES = (
    trusts_scale.stages()
    + mentors_scale.stages()
    + opportunities_scale.stages()
    + surveys_scale.stages()
    + reports_scale.stages()
)


class Command(BaseCommand):
    help = "Fill an empty database with national-scale data (200 Trusts, 50,000 trainees, ...)."

    def add_arguments(self, parser):
        parser.add_argument("--trainees", type=int, default=50_000)
        parser.add_argument("--trusts", type=int, default=200)
        parser.add_argument("--regions", type=int, default=7, choices=range(1, 8))
        parser.add_argument("--years", type=int, default=10, help="training years of activity")
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bars (they go to stderr)."
        )

    def handle(self, *args, trainees, trusts, regions, years, no_progress, **options):
        if trainees < 1 or trusts < 1 or years < 1:
            raise CommandError("--trainees, --trusts and --years must be at least 1.")
        if not trusts_scale.database_is_empty():
            raise CommandError(
                "Refusing to seed: this database already holds people, regions or Trusts. "
                "seed_scale only fills an empty database (create one, migrate it, and run "
                "seed_scale there), so that it never mixes its made-up people with real ones."
            )

        def progress(iterable, **kwargs):
            return tqdm(iterable, file=sys.stderr, disable=no_progress, leave=False, **kwargs)

        ctx = trusts_scale.ScaleContext(
            trainees=trainees,
            trusts=trusts,
            regions=regions,
            years=years,
            today=timezone.localdate(),
            password=settings.DEMO_PASSWORD,
            progress=progress,
        )
        started = time.perf_counter()
        with transaction.atomic():
            for name, stage in tqdm(
                STAGES, desc="seed_scale", unit="stage", file=sys.stderr, disable=no_progress
            ):
                began = time.perf_counter()
                stage(ctx)
                self.stderr.write(f"  {name}: {time.perf_counter() - began:.0f} s")
            ctx.writer.reset_sequences()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        counts = ", ".join(f"{key} {value:,}" for key, value in ctx.counts.items())
        self.stdout.write(
            f"Seeded {counts} in {time.perf_counter() - started:.0f} s "
            f"(peak memory {peak_mb:.0f} MB)."
        )
        self.stdout.write(
            f"Sign in as clm.rk9@example.com, trainee.rk9@, supervisor.rk9@, admin.rk9@ or "
            f"deanery@example.com with the DEMO_PASSWORD ({settings.DEMO_PASSWORD})."
        )
