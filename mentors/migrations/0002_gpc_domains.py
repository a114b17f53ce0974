from django.db import migrations

# The GMC's Generic Professional Capabilities framework: fixed reference data.
DOMAINS = [
    (1, "Professional values and behaviours"),
    (2, "Professional skills"),
    (3, "Professional knowledge"),
    (4, "Health promotion and illness prevention"),
    (5, "Leadership and team working"),
    (6, "Patient safety and quality improvement"),
    (7, "Safeguarding vulnerable groups"),
    (8, "Education and training"),
    (9, "Research and scholarship"),
]


def add_domains(apps, schema_editor):
    GPCDomain = apps.get_model("mentors", "GPCDomain")
    for number, name in DOMAINS:
        GPCDomain.objects.update_or_create(number=number, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("mentors", "0001_initial")]

    operations = [migrations.RunPython(add_domains, migrations.RunPython.noop)]
