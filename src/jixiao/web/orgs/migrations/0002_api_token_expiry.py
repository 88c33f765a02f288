"""API tokens expire: each gets an expires_at; a token made before keeps working
until 30 days after it was made (the default lifetime of a new one)."""

from datetime import timedelta

from django.db import migrations, models
from django.db.models import F


def expire_old_tokens(apps, schema_editor):
    ApiToken = apps.get_model("orgs", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=F("created_at") + timedelta(days=30))


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="失效时间"),
        ),
        migrations.RunPython(expire_old_tokens, migrations.RunPython.noop),
    ]
