"""activity_trust_recent gains updated_at, so that a Trust's entries of a year changed since a
report was submitted are counted from the index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mentors", "0005_activity_opportunity"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_trust_recent",
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["trust", "-date", "-created_at", "updated_at"],
                name="activity_trust_recent",
            ),
        ),
    ]
