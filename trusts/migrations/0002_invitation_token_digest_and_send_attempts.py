import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    """Keep existing links working: store each plain-text token's SHA-256, then drop the token."""
    Invitation = apps.get_model("trusts", "Invitation")
    for invitation in Invitation.objects.exclude(token="").only("pk", "token").iterator():
        Invitation.objects.filter(pk=invitation.pk).update(
            token_digest=hashlib.sha256(invitation.token.encode()).hexdigest()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("trusts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="token_digest",
            field=models.CharField(editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="invitation",
            name="token",
        ),
        migrations.AddField(
            model_name="invitation",
            name="last_attempt_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="invitation",
            name="last_send_error",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="invitation",
            name="send_attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
