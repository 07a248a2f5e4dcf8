from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("consent", "0004_hash_revision_id")]

    # Records already written keep their hashes (versions 1 and 2, without
    # gpc_overridden); new records are hashed with it (version 3).
    operations = [
        migrations.AddField(
            model_name="consentrecord", name="gpc_overridden", field=models.JSONField(default=list)
        ),
        migrations.AlterField(
            model_name="consentrecord", name="hash_version", field=models.PositiveSmallIntegerField(default=3)
        ),
        migrations.AddField(model_name="consentstate", name="gpc", field=models.BooleanField(null=True)),
    ]
