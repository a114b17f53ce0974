"""The trainee and supervisor instruments of the evaluation (DOMAIN.md), as version 1.

Loaded from surveys/data/instruments.csv; later items are added in the admin, on a new version
of an instrument once a round using it has responses.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "instruments.csv"
NAMES = {"trainee": "Trainee survey", "supervisor": "Educational supervisor survey"}


def load(apps, schema_editor):
    Instrument = apps.get_model("surveys", "Instrument")
    Item = apps.get_model("surveys", "Item")
    instruments = {}
    with open(DATA, encoding="utf-8") as f:
        for position, row in enumerate(csv.DictReader(f)):
            role = row["role"]
            if role not in instruments:
                instruments[role], _ = Instrument.objects.get_or_create(
                    role=role, version=1, defaults={"name": NAMES[role]}
                )
            Item.objects.get_or_create(
                instrument=instruments[role],
                code=row["code"],
                defaults={
                    "text": row["text"],
                    "kind": row["kind"],
                    "section": row["section"],
                    "position": position,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
