"""Loading the region's Trusts and sites from the reference CSV files in trusts/data/."""

import csv
from pathlib import Path

from django.db import transaction

from .models import Region, Site, Trust

DATA = Path(__file__).resolve().parent / "data"
REGION = {"code": "SW", "name": "NHS South West"}


@transaction.atomic
def trusts_load(*, data_dir: Path = DATA) -> tuple[int, int]:
    """Add the Trusts and sites that are missing; never overwrite edits. Returns (trusts, sites) added."""
    region, _ = Region.objects.get_or_create(code=REGION["code"], defaults={"name": REGION["name"]})
    added_trusts = added_sites = 0
    with open(data_dir / "trusts.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            trust, created = Trust.objects.get_or_create(
                ods_code=row["ods_code"],
                defaults={
                    "region": region,
                    "name": row["name"],
                    "kind": row["kind"],
                    "trainee_count": int(row["trainee_count"] or 0),
                },
            )
            if created:
                trust.full_clean()
                added_trusts += 1
    trusts = {t.ods_code: t for t in Trust.objects.all()}
    with open(data_dir / "sites.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            trust = trusts.get(row["ods_code"])
            if trust is None:
                continue
            _, created = Site.objects.get_or_create(trust=trust, name=row["site"])
            added_sites += created
    return added_trusts, added_sites
